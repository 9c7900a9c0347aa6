/* Scanning an invitation's QR code with the phone's camera (jsQR, vendored in
 * static/vendor/). The decoded code goes into the same field a person types into,
 * so the page behaves the same with or without a camera or JavaScript.
 * window.officerScan.start(onCode) / .stop(); on the point page the found code is
 * put into the search field and the form is sent. */
(function () {
  "use strict";
  var stream = null, timer = null;
  var area = document.getElementById("scan-area");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var canvas = document.createElement("canvas");

  function stop() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (area) area.hidden = true;
  }

  function tick(onCode) {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) { stop(); onCode(found.data.trim()); return; }
    }
    timer = setTimeout(function () { tick(onCode); }, 200);
  }

  function start(onCode) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      if (status) { area.hidden = false; status.textContent = status.dataset.none; }
      return;
    }
    area.hidden = false;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(function () { tick(onCode); })
      .catch(function () { stop(); area.hidden = false; status.textContent = status.dataset.none; });
  }

  window.officerScan = { start: start, stop: stop };
  var button = document.getElementById("scan-start");
  var stopButton = document.getElementById("scan-stop");
  if (stopButton) stopButton.addEventListener("click", stop);
  if (button && button.dataset.scanTarget) {
    button.hidden = false;
    button.addEventListener("click", function () {
      start(function (code) {
        var input = document.getElementById(button.dataset.scanTarget);
        input.value = code;
        input.form.submit();
      });
    });
  }
})();
