"""The nine standard tables (九张表): each adds up, they agree with each other and with the
narrative.

- nine_tables.hierarchy: in a 功能分类 table (收入决算表, 支出决算表, 一般公共预算财政拨款支出决算表) a
  类 row = Σ its 款 rows, a 款 row = Σ its 项 rows, the 合计 row = Σ 类 rows (only leaves are
  added); in the 基本支出决算表 a 经济分类 类 (301…) = Σ its 款, 人员经费合计 = 301 + 303 and
  公用经费合计 = 302 + 310;
- nine_tables.row_columns: each row's 合计 column = Σ the other columns (收入决算表: sources;
  支出决算表: 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助; 一般公共预算支出表: 基本 + 项目;
  财政拨款总表: the fund columns);
- nine_tables.balance: 收入支出决算总表 / 财政拨款收入支出决算总表: 本年收入合计 = Σ income lines,
  本年支出合计 = Σ 类 lines, 总计 = 本年合计 + 结转结余 on each side, and the two 总计 are equal;
- nine_tables.sangong: 合计 = 因公出国（境） + 公务用车 + 公务接待, 公务用车 = 购置 + 运行, for
  预算数 and 决算数;
- nine_tables.cross_totals: T1 本年收入合计 = T2 合计, T3 合计 = T1 本年支出合计, T5 合计 = T4
  一般公共预算, T6 (人员 + 公用) = T5 基本支出; the same 类 carries the same amount in T1 and T3
  (all funds) and in T4 and T5 (一般公共预算), and the same code the same name everywhere;
- nine_tables.vs_narrative: the narrative's totals, 类 amounts, 人员/公用经费 and 三公 figures equal
  the tables'.
A value off by one unit in its last digit is reported as rounding (info), never as an error.
"""

from importlib import import_module

# Importing a module registers its rules; this order is the catalogue's (docs/rules.md).
for _name in ("classified", "balance", "sangong", "cross", "narrative"):
    import_module(f"evals.audit.rules.nine_tables.{_name}")
