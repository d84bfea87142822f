"""人居环境：关键指标、月度趋势、分村对比和数据表，指标全部来自指标目录。"""

from views import area, shell

context = shell.setup(__file__)

with shell.guard():
    area.area_page(context, "人居环境")
