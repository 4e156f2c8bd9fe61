"""Which XLSX writer to stream a big export with: time and peak memory for N rows.

    .venv/bin/python bench/xlsx_writers.py [ROWS]

Each writer runs in its own process (peak RSS is per process), writing the shape of a report
export: a bold header, a text, a date, an int, a decimal with a format and a percent column.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

COLUMNS = ("姓名", "日期", "人数", "金额", "比例")


def rows(n: int):
    start = date(2026, 1, 1)
    for i in range(n):
        yield (f"学生{i:06d} 张三", start + timedelta(days=i % 365), i % 1000,
               Decimal(i % 10000) / 100, (i % 100) / 100)


def openpyxl_write_only(path: str, n: int) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    bold = Font(bold=True)
    header = []
    for label in COLUMNS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for name, day, count, amount, share in rows(n):
        money = WriteOnlyCell(sheet, value=amount)
        money.number_format = "#,##0.00"
        pct = WriteOnlyCell(sheet, value=share)
        pct.number_format = "0.0%"
        sheet.append([name, day, count, money, pct])
    book.save(path)


def xlsxwriter_constant_memory(path: str, n: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    sheet = book.add_worksheet("data")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    pct = book.add_format({"num_format": "0.0%"})
    day_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, COLUMNS, bold)
    for r, (name, day, count, amount, share) in enumerate(rows(n), start=1):
        sheet.write_string(r, 0, name)
        sheet.write_datetime(r, 1, day, day_format)
        sheet.write_number(r, 2, count)
        sheet.write_number(r, 3, float(amount), money)
        sheet.write_number(r, 4, share, pct)
    book.close()


WRITERS = {"openpyxl write_only": openpyxl_write_only,
           "xlsxwriter constant_memory": xlsxwriter_constant_memory}


def _measure(name: str, n: int, out) -> None:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        began = time.perf_counter()
        WRITERS[name](target.name, n)
        seconds = time.perf_counter() - began
        size = target.tell() or __import__("os").path.getsize(target.name)
    out.send((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, size))


def measure(name: str, n: int) -> tuple[float, float, int]:
    """``(seconds, peak RSS in MB, file size)`` of one writer in a fresh process."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(target=_measure, args=(name, n, send))
    process.start()
    result = receive.recv()
    process.join()
    return result


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"{count:,} rows × {len(COLUMNS)} columns")
    print(f"{'writer':30} {'seconds':>8} {'peak MB':>8} {'file MB':>8}")
    for writer in WRITERS:
        seconds, peak, size = measure(writer, count)
        print(f"{writer:30} {seconds:8.2f} {peak:8.1f} {size / 1e6:8.2f}")
