/* For an article that embeds a sitegen timeline: size each timeline iframe to the height its page posts. */
addEventListener("message",function(e){var d=e.data;if(d&&d.sitegen==="height")document.querySelectorAll("iframe").forEach(function(f){if(f.contentWindow===e.source)f.style.height=d.height+"px"})});
