// Heartbeats of the open unit. The server keeps the time; this page only says "still here, still visible".
(function () {
  const box = document.getElementById("learn");
  if (!box) return;
  const words = JSON.parse(document.getElementById("learn-words").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const status = document.getElementById("learn-status");
  const prompt = document.getElementById("learn-prompt");
  const bar = document.getElementById("learn-progress");
  let device = localStorage.getItem("sitecert-device");
  if (!device) { device = Math.random().toString(36).slice(2) + Date.now().toString(36); localStorage.setItem("sitecert-device", device); }
  // `echo`: the server's word on the last accepted beat, sent back with the next one (it then needs no read).
  let token = null, seq = 0, timer = null, serverState = null, resuming = null, echo = "";
  // A video unit: time counts while it plays; it resumes where the learner stopped and cannot be skipped
  // past what the server has credited (credit lags playback by up to one heartbeat: that much slack).
  const video = document.getElementById("learn-video");
  let credited = 0;
  if (video) {
    video.addEventListener("seeking", () => {
      const ahead = credited + (+box.dataset.interval || 30) + 5;
      if (video.currentTime > ahead) video.currentTime = credited;
    });
    // A paused video is like a page left behind: the server's clock stands still (a hidden beat); playing
    // starts it again from now.
    video.addEventListener("pause", () => { stop(); if (serverState === "active") beat(false); });
    video.addEventListener("play", () => {
      if (!token) return;
      if (serverState === "active") start(+box.dataset.interval);
      else if (!resuming) resuming = resume().finally(() => { resuming = null; });
    });
  }

  async function call(path, body) {
    const response = await fetch(path, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: JSON.stringify(body || {})});
    return [response.status, await response.json()];
  }
  function show(state, reason, seconds, required) {
    serverState = state;
    if (seconds !== undefined) { bar.value = seconds; credited = Math.max(credited, seconds); }
    const complete = seconds !== undefined && seconds >= required;
    prompt.hidden = !(state === "paused" && reason !== "other_session" || state === "presence");
    if (complete) status.textContent = words.done;
    else if (state === "presence") status.textContent = words.presence;
    else if (state === "paused" && reason === "other_session") status.textContent = words.elsewhere;
    else if (state === "paused" && video && video.paused && document.visibilityState === "visible") {
      prompt.hidden = true; status.textContent = words.video_paused;
    }
    else if (state === "paused") status.textContent = words.paused;
    else status.textContent = words.learning + " " + words.progress
      .replace("%(done)s", duration(seconds)).replace("%(required)s", duration(required));
  }
  // As the course page writes it (portals/templatetags/durations.py): "1 小时 30 分"; seconds only under an hour.
  function duration(total) {
    const h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60, n = (w, v) => w.replace("%(n)d", v);
    const parts = h ? [n(words.hours, h)] : [];
    if (m || (!h && !s)) parts.push(n(words.minutes, m));
    if (s && !h) parts.push(n(words.seconds, s));
    return parts.join(" ");
  }
  async function beat(visible) {
    if (!token || (video && video.paused && visible)) return;  // a paused video earns nothing: no beat
    seq += 1;
    const [code, r] = await call(box.dataset.api + "/" + token + "/beats", {seq: seq, visible: visible, echo: echo});
    echo = (code === 200 && r.echo) || "";
    if (code !== 200 || !r.accepted) { if (r.reason !== "sequence") seq -= 1; return r; }
    show(r.state, r.reason, r.unit_seconds, r.unit_required);
    if (r.unit_complete || r.state !== "active") stop();
    return r;
  }
  function start(interval) { stop(); timer = setInterval(() => beat(document.visibilityState === "visible"), interval * 1000); }
  function stop() { if (timer) clearInterval(timer); timer = null; }
  async function open() {
    const [code, s] = await call(box.dataset.api, {enrolment_id: +box.dataset.enrolment, unit_id: +box.dataset.unit, device: device});
    if (code !== 201) { status.textContent = s.message; return; }
    token = s.token; seq = 0; echo = "";
    show(s.state, "", s.credited_seconds, s.required_seconds);
    box.dataset.interval = s.heartbeat_seconds;
    if (video) {
      const resumeAt = () => { video.currentTime = Math.min(s.position, video.duration || s.position); };
      if (video.readyState >= 1) resumeAt(); else video.addEventListener("loadedmetadata", resumeAt, {once: true});
      if (video.paused) beat(false);  // nothing counts until it plays
      else if (s.credited_seconds < s.required_seconds) start(s.heartbeat_seconds);
    } else if (s.credited_seconds < s.required_seconds) start(s.heartbeat_seconds);
  }
  async function resume() {
    const [code, s] = await call(box.dataset.api + "/" + token + "/resume");
    echo = "";
    if (code === 409) { show("paused", "other_session"); return; }
    show(s.state, "", s.credited_seconds, s.required_seconds);
    start(+box.dataset.interval);
  }
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") beat(false); });
  document.getElementById("learn-resume").addEventListener("click", resume);
  // For the browser tests, which drive the clock (and silence the page before the test database is reset).
  window.sitecertLearning = {beat: beat, resume: resume, credited: () => credited, quiet: () => { stop(); token = null; }};
  open();
})();
