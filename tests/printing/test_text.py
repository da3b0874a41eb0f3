from datetime import date, datetime

from besponsa_desktop.printing.text import day, has_cjk, markup, moment, qty, span


def test_dates_name_the_weekday_and_month_in_letters():
    assert day(date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert day(date(2027, 1, 17)) == "Sun 17 Jan 2027"
    assert span(date(2026, 12, 6), date(2026, 12, 10)) == "Sun 6 Dec 2026 – Thu 10 Dec 2026"


def test_time_stamps_use_the_24_hour_clock():
    assert moment(datetime(2026, 11, 23, 20, 5)) == "Mon 23 Nov 2026 20:05"


def test_quantities_follow_ismp():
    assert qty(0.5, "mg") == "0.5 mg"  # leading zero
    assert qty(1.0, "mg") == "1 mg"  # no trailing zero
    assert qty(1.35, "mg") == "1.35 mg"
    assert qty(50.0, "mL") == "50 mL"
    assert qty(0.027, "mg/mL", 4) == "0.027 mg/mL"


def test_user_text_is_escaped_for_paragraph_markup():
    assert markup("O'Brien <b>& Co") == "O'Brien &lt;b&gt;&amp; Co"


def test_chinese_runs_are_set_in_the_cjk_font():
    assert has_cjk("王小明 Wang")
    assert not has_cjk("Jane Doe ×10⁹/L ≤ µmol")
    assert markup("王小明 Wang", "CJK") == '<font name="CJK">王小明</font> Wang'
