"""乡镇工作数据看板: catalogue, monthly workbooks, versioned store, metrics, rankings and reports.

Everything that is not page layout lives here, so the command line, the tests and the Streamlit
pages share one implementation of every rule.
"""

__version__ = "0.1.0"
