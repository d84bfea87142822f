"""安全生产：关键指标、检查力度、隐患排查整改、执法查处季节规律、年初以来累计、分村对比和数据表。"""

from views import safety, shell

context = shell.setup(__file__)

with shell.guard():
    safety.safety_page(context)
