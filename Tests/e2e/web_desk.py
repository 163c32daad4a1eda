"""The web desk (reloc-web, issue 16) in a real browser: Debian's chromium, headless, driven by
selenium through chromium-driver. Run by Tests/RelocWebTests/WebBrowserTests.swift, which starts
reloc-web on a fresh seeded database, makes the logins, and checks the database afterwards.

One argument: a JSON object with base (the server's URL), password, logins (province, fgw, kjt,
city, throttled), csv (a file with two bad lines), chromium, chromedriver and screenshots (a
folder). Prints one line per step; a failed check exits 1 with what was seen.
"""

import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

config = json.loads(sys.argv[1])
base = config["base"].rstrip("/")
logins = config["logins"]
password = config["password"]
shots = config["screenshots"]
started = time.monotonic()
shot_number = 0


class Failed(Exception):
    pass


def step(text):
    print(f"[{time.monotonic() - started:5.1f}s] {text}", flush=True)


def check(condition, what, driver=None):
    if not condition:
        seen = ""
        if driver is not None:
            shot(driver, "FAILED")
            seen = f"\n  at {driver.current_url}\n  page text: {body_text(driver)[:1500]}"
        raise Failed(what + seen)


def shot(driver, name):
    global shot_number
    shot_number += 1
    driver.save_screenshot(os.path.join(shots, f"{shot_number:02d}-{name}.png"))


def body_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h2").text


def no_alert(driver):
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def open_page(driver, path):
    driver.get(base + path)
    check(no_alert(driver), f"an alert opened on {path}", None)


def sign_in(driver, login, secret=password):
    driver.delete_all_cookies()
    open_page(driver, "/signin")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(secret)
    submit(driver, "form.signin")


def navigating(driver, click):
    """Clicks, and waits for the next page to have loaded (a click does not wait for it)."""
    driver.execute_script("window.relocOldPage = true")
    click()

    def loaded(d):
        try:
            return d.execute_script("return window.relocOldPage !== true && document.readyState === 'complete'")
        except WebDriverException:  # between the two documents
            return False

    WebDriverWait(driver, 120).until(loaded)


def submit(driver, form_css):
    navigating(driver, driver.find_element(By.CSS_SELECTOR, form_css + " button").click)


def follow(driver, text):
    navigating(driver, driver.find_element(By.LINK_TEXT, text).click)


def refused(driver, status):
    return heading(driver) == f"无法完成（{status}）"


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = config["chromium"]
    for argument in [
        "--headless=new",
        "--no-sandbox",  # root in a container has no user namespaces for the sandbox
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1366,768",  # the office screen of issue 16
        "--lang=zh-CN",
    ]:
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(config["chromedriver"]), options=options)


def department_reports_progress(driver):
    step("a department signs in and reports progress on its task")
    sign_in(driver, logins["fgw"])
    check(heading(driver) == "总览", "after signing in, the home page", driver)
    shot(driver, "department-home")
    open_page(driver, "/tasks")
    check("我的任务" in heading(driver), "my tasks", driver)
    shot(driver, "department-tasks")
    # One report (the task pages are the slow ones: each lists the organisation's tasks).
    for percent, status, note in [("100", "done", "网页端到端：全部完成")]:
        open_page(driver, "/tasks/2")
        driver.find_element(By.NAME, "percent").send_keys(percent)
        Select(driver.find_element(By.NAME, "status")).select_by_value(status)
        driver.find_element(By.NAME, "note").send_keys(note)
        driver.find_element(By.NAME, "evidence").send_keys("吉发改〔2014〕99号")
        submit(driver, "form.report")
        check(driver.current_url.endswith("/tasks/2"), "back on the task after reporting", driver)
        check(note in body_text(driver), f"the report '{note}' in the history", driver)
    text = body_text(driver)
    check(logins["fgw"] in text, "the reporter's login in the history", driver)
    check("修改记录（审计）" in text, "the task page links its audit page", driver)
    shot(driver, "task-with-history")
    follow(driver, "修改记录（审计）")
    check("修改记录" in heading(driver), "the task's audit page", driver)
    shot(driver, "task-audit")

    step("the province sees it on its home page")
    sign_in(driver, logins["province"])
    check(heading(driver) == "总览", "the province's home page", driver)
    row = driver.find_element(By.XPATH, "//tr[td[1][normalize-space()='JL-FGW']]")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    check(cells[-1] == "1", f"JL-FGW's done this month is 1: {cells}", driver)
    shot(driver, "province-home")


def another_department_is_refused(driver):
    step("another department cannot open the progress form, nor post it forged")
    sign_in(driver, logins["kjt"])
    open_page(driver, "/tasks/2")
    check(refused(driver, 403), "task 2's form refused to JL-KJT", driver)
    check("[rule progress_report_writers]" in body_text(driver), "the rule's words on the 403 page", driver)
    check(not driver.find_elements(By.NAME, "percent"), "no progress form on the 403 page", driver)
    shot(driver, "other-department-403")
    # Its own task's form, with its own valid token, aimed at task 2.
    open_page(driver, "/tasks/5")
    driver.execute_script("document.querySelector('form.report').action = '/tasks/2/progress'")
    driver.find_element(By.NAME, "percent").send_keys("10")
    driver.find_element(By.NAME, "note").send_keys("越权填报")
    submit(driver, "form.report")
    check(refused(driver, 403), "the forged POST refused", driver)
    text = body_text(driver)
    check("task 2 is not yours to report on" in text, "PostgreSQL's refusal in words", driver)
    check("INSERT" not in text and "SQLSTATE" not in text, "no SQL on the page", driver)
    shot(driver, "forged-post-403")


def city_uploads_bad_csv(driver):
    step("a city uploads a CSV with two bad lines: both named, nothing written")
    sign_in(driver, logins["city"])
    open_page(driver, "/enterprises")
    shot(driver, "enterprise-list")
    follow(driver, "CSV 导入")
    shot(driver, "import-form")
    driver.find_element(By.NAME, "file").send_keys(config["csv"])
    submit(driver, "form.report")
    text = body_text(driver)
    check("有 2 行有误，未导入任何企业" in text, "two bad lines, nothing imported", driver)
    lines = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "ul.bad-lines li")]
    check(len(lines) == 2, f"two bad lines listed: {lines}", driver)
    check(lines[0].startswith("第 3 行：") and lines[1].startswith("第 5 行："), f"lines 3 and 5: {lines}", driver)
    shot(driver, "import-two-bad-lines")


def markup_reads_as_text(driver):
    step("an enterprise named <script>alert(1)</script> reads as text")
    name = "<script>alert(1)</script>"
    open_page(driver, "/enterprises/new")
    shot(driver, "register-form")
    Select(driver.find_element(By.NAME, "plan")).select_by_value(config["plan"])
    driver.find_element(By.NAME, "name").send_keys(name)
    Select(driver.find_element(By.NAME, "mode")).select_by_value("close")
    submit(driver, "form.report")
    check(no_alert(driver), "no alert after registering", driver)
    check(name in heading(driver), "the name, as typed, in the heading", driver)
    check(not driver.find_elements(By.TAG_NAME, "script"), "no script element in the page", driver)
    shot(driver, "enterprise-named-script")
    enterprise_url = driver.current_url

    step("the city edits and advances it; its audit page shows the changes")
    follow(driver, "修改")
    field = driver.find_element(By.NAME, "employees")
    field.clear()
    field.send_keys("120")
    shot(driver, "edit-form")
    submit(driver, "form.report")
    check(driver.current_url == enterprise_url, "back on the enterprise after editing", driver)
    follow(driver, "推进")
    Select(driver.find_element(By.NAME, "to")).select_by_value("heritage-surveyed")
    driver.find_element(By.NAME, "doc").send_keys("四政办〔2015〕7号")
    shot(driver, "advance-form")
    submit(driver, "form.report")
    check("四政办〔2015〕7号" in body_text(driver), "the step's 文号 in the status history", driver)
    follow(driver, "修改记录（审计）")
    text = body_text(driver)
    check("employees: ∅→120" in text, "the edit in the audit page", driver)
    check(logins["city"] in text, "the person's login in the audit page", driver)
    shot(driver, "enterprise-audit")
    open_page(driver, "/enterprises")
    check(no_alert(driver), "no alert on the list", driver)
    check(driver.find_elements(By.XPATH, f"//td/a[normalize-space()='{name}']"), "the name as text in the list", driver)


def forms_without_the_token_are_refused(driver):
    step("CSRF: a POST with a wrong token, or none, is refused")
    for attempt, script in [
        ("wrong-token", "document.querySelector('form.report input[name=csrf]').value = '0'.repeat(64)"),
        ("no-token", "document.querySelector('form.report input[name=csrf]').remove()"),
    ]:
        open_page(driver, "/enterprises/new")
        driver.execute_script(script)
        Select(driver.find_element(By.NAME, "plan")).select_by_value(config["plan"])
        driver.find_element(By.NAME, "name").send_keys(f"跨站伪造 {attempt}")
        Select(driver.find_element(By.NAME, "mode")).select_by_value("close")
        submit(driver, "form.report")
        check(refused(driver, 403), f"{attempt}: refused", driver)
        check("表单校验失败（CSRF）" in body_text(driver), f"{attempt}: said why", driver)
        shot(driver, f"csrf-{attempt}")


def sign_in_is_throttled(driver):
    step("sign-in throttling: after 5 failures even the right password waits")
    for attempt in range(5):
        sign_in(driver, logins["throttled"], "not the password")
        check("登录名或密码不正确" in body_text(driver), f"failure {attempt + 1} said", driver)
    sign_in(driver, logins["throttled"])
    check("登录失败次数过多" in body_text(driver), "the sixth attempt throttled", driver)
    check(driver.current_url.endswith("/signin"), "not signed in", driver)
    shot(driver, "signin-throttled")


def main():
    os.makedirs(shots, exist_ok=True)
    driver = browser()
    try:
        department_reports_progress(driver)
        another_department_is_refused(driver)
        city_uploads_bad_csv(driver)
        markup_reads_as_text(driver)
        forms_without_the_token_are_refused(driver)
        sign_in_is_throttled(driver)
    except Failed as failure:
        print(f"FAILED: {failure}", flush=True)
        return 1
    finally:
        driver.quit()
    step(f"all passed; {shot_number} screenshots in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
