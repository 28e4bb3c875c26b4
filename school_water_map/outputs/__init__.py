"""A register in, tables, text, files and folium maps out; never opens the store."""
