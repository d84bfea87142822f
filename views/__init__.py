"""The app side: everything that draws with Streamlit, beside the pages.

shell (page setup, sidebar, the guard), registry (every page's file, title and icon), loaders
(cached domain computations keyed on the store's revision), widgets (period and village choosers,
the chart drawer), editors (sign-in), confirm (the preview → confirm flow of upload and restore)
and the layout that several pages share (area, safety, overview, changes). The domain package
`township_data` imports none of this and no Streamlit at all.
"""
