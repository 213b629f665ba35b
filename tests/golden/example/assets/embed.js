/* Tell the article framing this embed how tall the timeline is, so its one-line script can
   size the iframe: {sitegen: "height", height: N} on load and whenever the content resizes. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.documentElement, followed = false, last = 0;
  function post() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ sitegen: "height", height: height }, "*");
  }
  // Once the article has made the frame tall enough, the frame no longer scrolls: bring a
  // deep-linked entry into view again, which scrolls the article instead.
  window.addEventListener("resize", function () {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!followed && target && window.innerHeight >= root.scrollHeight - 1) {
      followed = true;
      target.scrollIntoView({ block: "start" });
    }
  });
  if (window.ResizeObserver) new ResizeObserver(post).observe(root);
  window.addEventListener("load", post);
  post();
})();
