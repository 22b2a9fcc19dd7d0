"""``corsprobe har FILE``: diagnose the cross-origin requests of a browser's HAR export.

- :mod:`.reader`   streams ``log.entries`` out of the file one entry at a time (standard
                   library only; the whole file is never held in memory)
- :mod:`.recorded` turns entries into recorded CORS requests: the page's origin, the
                   preflight paired with its actual request, the redirect hops chained
- :mod:`.diagnose` runs the same browser steps as ``check`` (:func:`corsprobe.replay.replay`)
                   against the recording instead of the network, then the same rules
- :mod:`.build`    the ``corsprobe/har/v1`` dict; :mod:`corsprobe.render` renders it as
                   text, JSON or Markdown
"""
