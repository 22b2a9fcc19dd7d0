"""Reports: :mod:`.build` makes the report/v1 dict once; each format renders that dict."""
