#!/usr/bin/env bash
# Re-create static/vendor/ (the map's JavaScript, CSS, images and fonts) from the npm registry.
# The app serves these files itself (Streamlit static serving), so the map never loads from a CDN.
# Run from the repository root: bash tools/fetch_vendor_assets.sh   (needs npm; network at install only)
# Versions match the CDN URLs that folium 0.20 lists (school_water_map/map_assets.py maps them).
set -euo pipefail
REPO=$(pwd)
V=$REPO/static/vendor
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
npm pack --silent leaflet@1.9.3 jquery@3.7.1 bootstrap@5.2.2 bootstrap@3.4.1 \
  @fortawesome/fontawesome-free@6.2.0 drmonty-leaflet-awesome-markers@2.0.2 leaflet-draw@1.0.2 >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
find "$V" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
mkdir -p "$V"/{leaflet,jquery,bootstrap,fontawesome/css,fontawesome/webfonts,awesome-markers/images,leaflet-draw/images,glyphicons/css,glyphicons/fonts,folium}

L=leaflet-1.9.3/package
cp $L/dist/leaflet.js $L/dist/leaflet.css $L/LICENSE "$V/leaflet/"
cp -r $L/dist/images "$V/leaflet/"

cp jquery-3.7.1/package/dist/jquery.min.js "$V/jquery/jquery-3.7.1.min.js"
cp jquery-3.7.1/package/LICENSE.txt "$V/jquery/"

B=bootstrap-5.2.2/package
cp $B/dist/js/bootstrap.bundle.min.js $B/dist/css/bootstrap.min.css $B/LICENSE "$V/bootstrap/"

F=fortawesome-fontawesome-free-6.2.0/package
cp $F/css/all.min.css "$V/fontawesome/css/"
cp $F/webfonts/fa-solid-900.woff2 $F/webfonts/fa-regular-400.woff2 "$V/fontawesome/webfonts/"
cp $F/LICENSE.txt "$V/fontawesome/"

A=drmonty-leaflet-awesome-markers-2.0.2/package
cp $A/js/leaflet.awesome-markers.js $A/css/leaflet.awesome-markers.css "$V/awesome-markers/"
cp $A/css/images/markers-soft.png $A/css/images/markers-soft@2x.png $A/css/images/markers-shadow.png \
   $A/css/images/markers-shadow@2x.png "$V/awesome-markers/images/"

# folium.plugins.Draw (描绘水体): Leaflet.draw's script, stylesheet and its toolbar sprites (no licence file in the
# package: MIT, stated in its package.json)
D=leaflet-draw-1.0.2/package
cp $D/dist/leaflet.draw.js $D/dist/leaflet.draw.css $D/package.json "$V/leaflet-draw/"
cp $D/dist/images/spritesheet.png $D/dist/images/spritesheet-2x.png $D/dist/images/spritesheet.svg "$V/leaflet-draw/images/"

# folium lists bootstrap 3.0.0's glyphicons stylesheet: only the glyphicon rules of bootstrap 3.4.1, woff2 font
G=bootstrap-3.4.1/package
awk '/^@font-face/{p=1} p{print} /glyphicon-menu-up:before/{q=1} q&&/^}/{exit}' \
  $G/dist/css/bootstrap.css > "$V/glyphicons/css/bootstrap-glyphicons.css"
cp $G/dist/fonts/glyphicons-halflings-regular.woff2 "$V/glyphicons/fonts/"
cp $G/LICENSE "$V/glyphicons/"

# folium's leaflet.awesome.rotate.min.css: .fa-rotate-N{transform:rotate(Ndeg)}, used by folium.Icon(angle=N)
python3 -c "print(''.join('.fa-rotate-%d{-webkit-transform:rotate(%ddeg);transform:rotate(%ddeg)}'%(i,i,i) for i in range(360)))" \
  > "$V/folium/leaflet.awesome.rotate.min.css"

# no source maps are shipped: drop their references (avoids 404s when developer tools are open)
find "$V" \( -name '*.js' -o -name '*.css' \) -exec sed -i 's#^/[/*][#@] sourceMappingURL=.*##' {} +
du -sh "$V"
find "$V" -type f | sort
