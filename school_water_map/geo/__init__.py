"""Pure geometry: coordinate systems, typed coordinates, distances, basemaps, the district's context layers."""
