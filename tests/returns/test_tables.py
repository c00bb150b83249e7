"""The register's tables edited in place: every untouched byte (CSV) or cell value (register.xlsx) kept."""

from __future__ import annotations

import openpyxl
import pytest

from perfkit.returns.tables import CsvTable, XlsxTable, number_text


def _table(tmp_path, raw: bytes) -> CsvTable:
    path = tmp_path / "actuals.csv"
    path.write_bytes(raw)
    return CsvTable.open(path, "actuals")


def test_utf8_with_bom_and_windows_line_endings_are_kept(tmp_path):
    raw = "\ufeffcode,period,value,commentary\r\nA1,2024/25 Q1,80,Café opened\r\n".encode()
    table = _table(tmp_path, raw)
    table.append({"code": "A1", "period": "2024/25 Q2", "value": "84", "commentary": "Crème brûlée"})
    table.save()
    assert table.path.read_bytes() == raw + "A1,2024/25 Q2,84,Crème brûlée\r\n".encode()


def test_windows_1252_is_kept_and_what_it_cannot_hold_is_known(tmp_path):
    raw = "code,period,value,commentary\nA1,2024/25 Q1,80,Cost £5\n".encode("cp1252")
    table = _table(tmp_path, raw)
    assert table.encoding == "cp1252"
    assert table.encodable("Café “quoted” – £6") and not table.encodable("≥ 95")
    table.append({"code": "A1", "period": "2024/25 Q2", "value": "84", "commentary": "Café £6"})
    table.save()
    assert table.path.read_bytes() == raw + "A1,2024/25 Q2,84,Café £6\n".encode("cp1252")


def test_a_changed_row_is_rewritten_and_only_that_row(tmp_path):
    raw = (
        b'code,period,value,commentary\n"A1","2024/25 Q1", 80 ,"Two lines:\nfirst, second"\n'
        b"A1,2024/25 Q2,84,\nA2,2024/25 Q2,7,\n"
    )
    table = _table(tmp_path, raw)
    assert table.get(0, "commentary") == "Two lines:\nfirst, second"
    i = table.find("A1", "2024-25-Q2")
    table.set(i, "commentary", 'Said "yes"')
    table.save()
    assert table.path.read_bytes() == (
        b'code,period,value,commentary\n"A1","2024/25 Q1", 80 ,"Two lines:\nfirst, second"\n'
        b'A1,2024/25 Q2,84,"Said ""yes"""\nA2,2024/25 Q2,7,\n'
    )


def test_a_new_column_extends_the_header_only(tmp_path):
    raw = b"code,period,value\r\nA1,2024/25 Q1,80\r\n"
    table = _table(tmp_path, raw)
    table.append({"code": "A1", "period": "2024/25 Q2", "for_period": "2024/25 H1", "status": "On track"})
    table.save()
    assert table.path.read_bytes() == (
        b"code,period,value,status,for_period\r\nA1,2024/25 Q1,80\r\nA1,2024/25 Q2,,On track,2024/25 H1\r\n"
    )


def test_a_last_row_without_a_line_ending_and_blank_lines_at_the_end(tmp_path):
    table = _table(tmp_path, b"code,period,value\nA1,2024/25 Q1,80")
    table.append({"code": "A1", "period": "2024/25 Q2", "value": "84"})
    table.save()
    assert table.path.read_bytes() == b"code,period,value\nA1,2024/25 Q1,80\nA1,2024/25 Q2,84\n"
    table = _table(tmp_path, b"code,period,value\nA1,2024/25 Q1,80\n\n\n")
    table.append({"code": "A1", "period": "2024/25 Q2", "value": "84"})
    table.save()
    assert table.path.read_bytes() == b"code,period,value\nA1,2024/25 Q1,80\nA1,2024/25 Q2,84\n\n\n"


def test_a_row_deleted(tmp_path):
    table = _table(tmp_path, b"period,service,kind,text\n2024/25 Q3,Housing,achievement,One\nx,y,z,w\n")
    table.delete(0)
    table.save()
    assert table.path.read_bytes() == b"period,service,kind,text\nx,y,z,w\n"


def test_nothing_changed_writes_nothing(tmp_path):
    table = _table(tmp_path, b"code,period\nA1,2024/25 Q1\n")
    before = table.path.stat().st_mtime_ns
    table.save()
    assert table.path.stat().st_mtime_ns == before and not table.dirty


@pytest.mark.parametrize(("value", "text"), [(96.00000000000001, "96"), (0.1 + 0.2, "0.3"), (-3.5, "-3.5")])
def test_numbers_are_written_without_float_noise(value, text):
    assert number_text(value) == text


def test_register_xlsx_keeps_its_other_sheets_and_cells(tmp_path):
    path = tmp_path / "register.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "metrics"
    ws.append(["code", "title"])
    ws.append(["A1", "Calls"])
    notes = wb.create_sheet("notes")
    notes["A1"] = "Total"
    notes["B1"] = "=SUM(actuals!C2:C9)"
    actuals = wb.create_sheet("actuals")
    actuals.append(["code", "period", "value", "commentary"])
    actuals.append(["A1", "2024/25 Q1", 0.8, "First"])
    actuals["C2"].number_format = "0%"
    actuals.append(["A1", "2024/25 Q2", 84, None])
    wb.save(path)

    table = XlsxTable(path, "actuals")
    assert [table.get(0, "value"), table.get(1, "value")] == ["80", "84"]
    table.set(table.find("A1", "2024/25 Q2"), "commentary", "Better")
    table.append({"code": "A1", "period": "2024/25 Q3", "value": "86.5", "action": "Hire"})
    table.save()

    after = openpyxl.load_workbook(path)
    assert [[c.value for c in row] for row in after["metrics"].iter_rows()] == [["code", "title"], ["A1", "Calls"]]
    assert after["notes"]["B1"].value == "=SUM(actuals!C2:C9)"
    assert [[c.value for c in row] for row in after["actuals"].iter_rows()] == [
        ["code", "period", "value", "commentary", "action"],
        ["A1", "2024/25 Q1", 0.8, "First", None],
        ["A1", "2024/25 Q2", 84, "Better", None],
        ["A1", "2024/25 Q3", 86.5, None, "Hire"],
    ]
    assert after["actuals"]["C2"].number_format == "0%"
