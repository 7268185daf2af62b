"""The demo source: a deterministic, coherent sales-and-marketing world.

`connectors.demo.world.generate` builds the world in memory (CRM, ads and web events
telling one story); `connectors.demo.files.write_files` writes it in the file layout
of CONTRACT.md section 1. Both are pure standard-library Python.
"""
