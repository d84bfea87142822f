"""社会事务：关键指标、月度趋势、分村对比和数据表，指标全部来自指标目录。"""

from township_data import ui
from views import area

context = ui.setup("社会事务", ":material/diversity_3:")

with ui.guard():
    area.area_page(context, "社会事务")
