"""The demo source: a deterministic, coherent sales-and-marketing world, served the way
real systems serve it.

`world.generate` builds the world in memory (CRM, ads and web events telling one
story); `files.write_files` writes it in the file layout of CONTRACT.md section 1;
`fakes/` serve it as local HubSpot, Salesforce, Google Ads, Meta and LinkedIn APIs;
`systems.DemoSystems` starts the ones a demo run needs and hands out the connectors
for them.
"""
