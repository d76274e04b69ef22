// Agora live reload: added to pages by `agora serve` only.
(function () {
  "use strict";
  var overlayId = "agora-build-error";
  var seen = null; // the build this page was loaded from

  function hideOverlay() {
    var o = document.getElementById(overlayId);
    if (o) o.remove();
  }

  function showOverlay(text) {
    var o = document.getElementById(overlayId);
    if (!o) {
      o = document.createElement("div");
      o.id = overlayId;
      o.setAttribute("role", "alert");
      o.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;padding:2rem;" +
        "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
      var h = document.createElement("p");
      h.style.cssText = "margin:0 0 1rem;font-weight:bold;color:#ff8a80";
      h.textContent = "agora serve: the last build failed; this page is the last good build.";
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap";
      o.appendChild(h);
      o.appendChild(pre);
      document.body.appendChild(o);
    }
    // textContent, never innerHTML: the message quotes the editor's file.
    o.querySelector("pre").textContent = text;
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href);
      url.searchParams.set("agora-reload", Date.now());
      links[i].href = url.toString();
    }
  }

  var es = new EventSource("/__agora/events");
  es.addEventListener("hello", function (e) {
    if (seen !== null && e.lastEventId !== seen && e.data === "ok") {
      // The server restarted or rebuilt while we were disconnected.
      location.reload();
      return;
    }
    seen = e.lastEventId;
    // Lets tests (and the curious) see that the stream is open.
    window.agoraLive = "connected";
    if (e.data !== "ok") showOverlay(e.data);
  });
  es.addEventListener("reload", function () {
    location.reload();
  });
  es.addEventListener("css", function (e) {
    seen = e.lastEventId;
    hideOverlay();
    swapStylesheets();
  });
  es.addEventListener("builderror", function (e) {
    seen = e.lastEventId;
    showOverlay(e.data);
  });
})();
