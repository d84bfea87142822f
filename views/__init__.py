"""Page layout shared by several pages.

Streamlit drawing code that more than one page uses lives here: not in township_data, which
holds everything that is not page layout (its only Streamlit module, ui.py, is page setup,
shared widgets and cached loaders), and not in pages/, where every file becomes a page.
"""
