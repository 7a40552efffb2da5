"""Where a district's roster comes from on its own: a drop folder its SIS fills over SFTP
(drop_folder.py) or a OneRoster REST API (oneroster_api.py). Each run is an ordinary roster import;
accounts.services.roster_sync_run decides when, records the result and tells the director once."""
