"""Reference baselines: other systems scored with onrecord's scorer."""
