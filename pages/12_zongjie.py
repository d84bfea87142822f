"""工作总结: the report text for a chosen period, every figure traceable, free text editable."""

from views import report, shell

context = shell.setup(__file__)

with shell.guard():
    report.report_page(context)
