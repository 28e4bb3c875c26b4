"""Files and the network in: tables, annex and position files, geometry files, geocoders."""
