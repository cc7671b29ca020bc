-- wrk script for scripts/load-test: rotates through a mix of search requests (words, phrases,
-- prefixes, exclusions, scoped fields, filters, facets, paging, sorting) so the run measures the
-- engine's real query mix rather than one cached path. Prints a short summary at the end.
local paths = {
  "/api/search?q=economy",
  "/api/search?q=%22prime+minister%22",
  "/api/search?q=elect*",
  "/api/search?q=oil+-price",
  "/api/search?q=film+OR+music",
  "/api/search?q=headline%3Aengland",
  "/api/search?q=mobile&section=tech",
  "/api/search?q=growth&facet=source&facet=section",
  "/api/search?q=government+plans&offset=10",
  "/api/search?q=championship&sort=newest",
  "/api/search?q=internet+users&match=any",
  "/api/search?q=%22world+cup%22+-rugby",
}

local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write("---- summary\n")
  io.write(string.format("requests:   %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/s: %.0f\n", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%-5s     %.2f ms\n", tostring(p), latency:percentile(p) / 1000))
  end
  local e = summary.errors
  io.write(string.format("errors:     connect %d, read %d, write %d, timeout %d, non-2xx %d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
