"""A headless Chromium driven over the DevTools protocol, for the
picture checks (chromium_check.py).

Browser() starts `chromium --headless=new` in a session of its own with
a throw-away profile, reads the DevTools port from DevToolsActivePort,
and talks to it over one websocket (python3-websocket).  Each page is a
target of its own, attached with flatten=true, so its events come on the
same socket tagged with its session id.  close() always ends the browser
(the whole process group: chromium forks a zygote and renderers) and
removes the profile.

Every wait is bounded by TIMEOUT seconds: a browser that hangs is a
failure, never a test run that hangs.

The browser cannot reach the network: a proxy on the discard port and a
resolver that finds no name make any request fail at once.  A page that
makes one is still caught (Network.requestWillBeSent fires before), and
no test sends anything off the machine.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import websocket

TIMEOUT = 20.0


class DevToolsError(Exception):
    """The browser did not start, answer or behave within TIMEOUT."""


def find_chromium():
    """The browser binary, or None."""
    for name in ('chromium', 'chromium-browser'):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium; width x height is every page's viewport."""

    def __init__(self, binary, width=1000, height=600):
        self.width, self.height = width, height
        self.dir = tempfile.mkdtemp(prefix='tcplens-chromium-')
        self.stderr_path = os.path.join(self.dir, 'stderr')
        profile = os.path.join(self.dir, 'profile')
        args = [
            binary, '--headless=new',
            # Root in a container has no user namespace for the sandbox;
            # the pages are our own files.
            '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
            '--remote-debugging-port=0', f'--user-data-dir={profile}',
            f'--window-size={width},{height}',
            '--force-device-scale-factor=1', '--hide-scrollbars',
            '--no-first-run', '--no-default-browser-check',
            '--disable-extensions', '--disable-background-networking',
            '--disable-component-update', '--disable-sync',
            '--disable-default-apps', '--mute-audio',
            '--proxy-server=127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
            '--host-resolver-rules=MAP * ~NOTFOUND',
            'about:blank',
        ]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.stderr_path, 'w'), start_new_session=True)
        self.ws = None
        self.next_id = 0
        self.events = {}            # session id -> [event message]
        try:
            port, path = self._active_port(profile)
            self.ws = websocket.create_connection(
                f'ws://127.0.0.1:{port}{path}', timeout=TIMEOUT,
                suppress_origin=True)
        except Exception:
            self.close()
            raise

    def stderr_tail(self, lines=5):
        try:
            with open(self.stderr_path, errors='replace') as f:
                return ' | '.join(f.read().strip().splitlines()[-lines:])
        except OSError:
            return ''

    def _active_port(self, profile):
        """Port and browser path from DevToolsActivePort, which chromium
        writes (two lines) once it listens."""
        port_file = os.path.join(profile, 'DevToolsActivePort')
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DevToolsError(
                    f'chromium exited {self.proc.returncode} before it '
                    f'listened: {self.stderr_tail()}')
            try:
                with open(port_file) as f:
                    lines = f.read().split('\n')
                if len(lines) >= 2 and lines[0].isdigit() and lines[1]:
                    return int(lines[0]), lines[1]
            except OSError:
                pass
            time.sleep(0.05)
        raise DevToolsError(f'no DevToolsActivePort after {TIMEOUT:.0f} s: '
                            f'{self.stderr_tail()}')

    def _receive(self, deadline):
        """One message, or None when deadline passed."""
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self.ws.settimeout(left)
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError) as e:
            raise DevToolsError(f'DevTools connection lost: {e}; '
                                f'{self.stderr_tail()}') from e
        return json.loads(raw)

    def _keep_event(self, msg):
        self.events.setdefault(msg.get('sessionId'), []).append(msg)

    def call(self, method, params=None, session=None, timeout=TIMEOUT):
        """Sends a command and returns its result; events that arrive
        meanwhile are kept for their session."""
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise DevToolsError(f'{method}: no answer in {timeout:.0f} s')
            if reply.get('id') == self.next_id:
                if 'error' in reply:
                    raise DevToolsError(f'{method}: {reply["error"]}')
                return reply.get('result', {})
            if 'method' in reply:
                self._keep_event(reply)

    def wait_event(self, session, method, timeout=TIMEOUT):
        """The first event method of session (kept ones first), or
        None after timeout."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            kept = self.events.get(session, [])
            for msg in kept[seen:]:
                if msg['method'] == method:
                    return msg
            seen = len(kept)
            msg = self._receive(deadline)
            if msg is None:
                return None
            if 'method' in msg:
                self._keep_event(msg)

    def settle(self, quiet=0.5, timeout=TIMEOUT):
        """Reads events until none came for quiet seconds (at most
        timeout): what a page does just after its load is seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._receive(min(deadline, time.monotonic() + quiet))
            if msg is None:
                return
            if 'method' in msg:
                self._keep_event(msg)

    def open_page(self):
        """A new blank target, attached; its session id."""
        target = self.call('Target.createTarget', {'url': 'about:blank'})
        attached = self.call('Target.attachToTarget',
                             {'targetId': target['targetId'],
                              'flatten': True})
        session = attached['sessionId']
        self.events[session] = []
        return session, target['targetId']

    def close_page(self, target_id):
        try:
            self.call('Target.closeTarget', {'targetId': target_id},
                      timeout=5)
        except DevToolsError:
            pass

    def close(self):
        """Ends the browser whatever state it is in: asked first, so
        that it ends its own children, then its process group killed."""
        if self.ws is not None:
            try:
                self.call('Browser.close', timeout=5)
                self.proc.wait(timeout=5)
            except (DevToolsError, subprocess.TimeoutExpired,
                    websocket.WebSocketException, OSError):
                pass
            try:
                self.ws.close()
            except Exception:
                pass
            self.ws = None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        try:
            # Renderers outlive their parent by a moment sometimes.
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
