/* The enterprise-QR visit form: fill the place if the phone shares it (optional). */
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("visit-form");
  var status = document.getElementById("position-status");
  if (!form || !navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.elements.latitude.value = pos.coords.latitude.toFixed(6);
    form.elements.longitude.value = pos.coords.longitude.toFixed(6);
    form.elements.accuracy.value = Math.round(pos.coords.accuracy);
    if (status) { status.textContent = "已获取到访位置（精度约 " + Math.round(pos.coords.accuracy) + " 米）。"; }
  }, function () {
    if (status) { status.textContent = "未获取位置，仅记录到访时间。"; }
  }, { timeout: 8000, maximumAge: 60000 });
});
