"""``swmap tiles PATH``: check the bureau's offline tiles (a folder of XYZ tiles or an MBTiles file) as the
设置 page does, say what they hold, and with ``--save`` set them as the offline basemap (kept in the
database with the page's history, by 命令行)."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from school_water_map.geo.tile_source import MBTILES, TileSource, covers
from school_water_map.pipeline.app_settings import check_offline_tiles
from school_water_map.settings import CHOICES, ENV_VARS, Settings
from school_water_map.store import audit
from school_water_map.store.app_settings import set_values
from school_water_map.store.database import open_store

#: A point of the district (the city centre, 106.2E 37.98N): the tiles should cover it.
CENTRE = (106.2, 37.98)


def add_tile_commands(sub: Any) -> None:
    tiles = sub.add_parser("tiles", help="检查离线底图（QGIS 生成的 XYZ 瓦片文件夹或 MBTiles 文件），"
                                         "--save 设为离线底图")
    tiles.add_argument("path", help="瓦片文件夹或 .mbtiles 文件的完整路径")
    tiles.add_argument("--crs", default="WGS84", help=f"瓦片的坐标系：{' 或 '.join(CHOICES['offline_tiles_crs'])}")
    tiles.add_argument("--kind", default="imagery", help="imagery（影像，可目视定位）或 map（地图）")
    tiles.add_argument("--save", action="store_true", help="检查通过后保存到“设置”（带修改记录）")
    tiles.set_defaults(run=_tiles)


def _tiles(args: argparse.Namespace, settings: Settings) -> int:
    changes = {"offline_tiles": args.path, "offline_tiles_crs": args.crs, "offline_tiles_kind": args.kind}
    source = check_offline_tiles(settings, changes)
    if source is None:  # an empty path: nothing to check
        print("未给出离线底图路径")
        return 2
    print(describe(source))
    if not args.save:
        return 0
    overridden = [ENV_VARS[key] for key in changes if key in settings.env_fields]
    if overridden:
        print(f"注意：环境变量 {'、'.join(overridden)} 已设置，保存的值在其取消前不生效")
    done = set_values(open_store(settings), changes, actor=f"{audit.CLI_ACTOR}（{_os_user()}）")
    print(f"已保存为离线底图（{len(done)} 项设置有变化）；在地图的“底图”中选择" if done else "设置未变化")
    return 0


def describe(source: TileSource) -> str:
    """What a checked tile source holds, in one Chinese paragraph."""
    form = "MBTiles 文件" if source.kind == MBTILES else "XYZ 瓦片文件夹"
    what = "影像（可目视定位学校）" if source.imagery else "地图（非影像）"
    lines = [f"离线底图可用：{source.path}",
             f"  {form}，{source.fmt.upper()} 瓦片，缩放 {source.min_zoom}–{source.max_zoom} 级",
             f"  坐标系（声明）：{'GCJ-02' if source.crs == 'GCJ02' else 'WGS-84'}；内容（声明）：{what}"]
    if source.bounds is not None:
        lines.append("  范围（经纬度）：西 {:.4f}，南 {:.4f}，东 {:.4f}，北 {:.4f}".format(*source.bounds))
        if not covers(source, *CENTRE):
            lines.append("  注意：范围不含利通区城区（东经 106.2°，北纬 37.98°），请确认导出范围")
    return "\n".join(lines)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return "?"
