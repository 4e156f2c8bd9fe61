"""Follow docs/tutorial.md as a reader would, and time it: the figures the tutorial gives.

    .venv/bin/python docs/tutorial/follow.py [FOLDER]      (default: /tmp/tutorial-run)

Writes every file from the page's blocks into FOLDER/tutorial/visitors (copied, not typed: a
person's reading time is not counted), runs the page's commands in its order with this
virtualenv's ``bin`` first on the PATH, and logs in as ``visitors_guard`` to the list page
served by ``danwei run``. ``pip install -e`` of the copy replaces the checkout's tutorial
plugin in this virtualenv: ``make install`` (or ``pip install -e docs/tutorial/visitors``)
puts it back.
"""
import os, re, subprocess, sys, time, shutil
from pathlib import Path
import urllib.request, http.cookiejar, urllib.parse

WT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RUN = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tutorial-run")
shutil.rmtree(RUN, ignore_errors=True)
RUN.mkdir()
text = (WT / "docs/tutorial.md").read_text()
env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
env.pop("DANWEI_TEST_DATABASE_URL", None)
t0 = time.perf_counter()
log = []
def sh(cmd, cwd):
    t = time.perf_counter()
    r = subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True)
    log.append((cmd, round(time.perf_counter() - t, 1), r.returncode))
    print(f"[{time.perf_counter()-t0:6.1f}s] $ {cmd} -> {r.returncode} ({time.perf_counter()-t:.1f}s)", flush=True)
    if r.returncode and "plugins list" not in cmd:
        print(r.stdout[-3000:], r.stderr[-3000:]); sys.exit(1)
    return r
# 0. before you start
work = RUN / "tutorial"; work.mkdir()
env["DANWEI_INSTANCE_PATH"] = str(work / "instance")
# 1-6: every file from its block (the .po comes after `danwei messages`, step 7)
blocks = re.findall(r"^File `(visitors/[^`]+)`[^\n]*:\n\n```\w*\n(.*?)\n```$", text, re.M | re.S)
po = None
for path, body in blocks:
    if path.endswith(".po"):
        po = (path, body); continue
    f = work / path; f.parent.mkdir(parents=True, exist_ok=True); f.write_text(body + "\n")
print(f"[{time.perf_counter()-t0:6.1f}s] {len(blocks)-1} files written")
# 7
sh("pip install -q -e visitors", work)
print(sh("danwei plugins list", work).stdout[-600:])
sh("danwei db upgrade", work)
sh("danwei messages visitors", work)
f = work / po[0]; f.write_text(po[1] + "\n")
r = sh("danwei messages visitors", work); print(r.stdout[-400:])
r = sh("danwei plugins check visitors", work); print(r.stdout[-600:])
# 8
r = sh("pytest -q", work / "visitors"); print(r.stdout[-500:])
t_test = time.perf_counter() - t0
print(f"TIME TO PASSING TESTS: {t_test:.0f} s")
# 9
r = sh("danwei demo", work)
port = 5079
server = subprocess.Popen([str(BIN / "danwei"), "run", "--port", str(port)], cwd=work, env=env,
                          stdout=open(RUN / "run.log", "w"), stderr=subprocess.STDOUT)
try:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            page = opener.open(base + "/login").read().decode(); break
        except OSError:
            time.sleep(0.2)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    data = urllib.parse.urlencode({"username": "visitors_guard", "password": "danwei2026",
                                   "csrf_token": token.group(1)}).encode()
    home = opener.open(base + "/login", data).read().decode()
    listing = opener.open(base + "/visitors/").read().decode()
    t_page = time.perf_counter() - t0
    assert "李女士" in listing, listing[:2000]
    print("menu has 访客登记:", "访客登记" in home, "| widget 今日访客:", "今日访客" in home)
    print(f"TIME TO VISIBLE PAGE: {t_page:.0f} s")
finally:
    server.terminate(); server.wait(20)
for l in log: print(l)
