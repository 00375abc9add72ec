"""Speed benchmarks: articles/s, pages/s, requests/s against a yardstick, in one run."""
