import { describe, expect, it } from "vitest";
import { metricNamesIn } from "./metric-names-in.js";

describe("metricNamesIn", () => {
  it("finds the metrics and leaves functions, labels, ranges and Grafana variables out", () => {
    expect(
      metricNamesIn('sum by (service, code) (rate(rpc_server_requests_total{service=~"$service", code!="ok"}[$__rate_interval]))'),
    ).toEqual(["rpc_server_requests_total"]);
    expect(metricNamesIn("histogram_quantile(0.99, sum by (le) (rate(rpc_server_duration_seconds_bucket[5m]))) > 0.5")).toEqual([
      "rpc_server_duration_seconds_bucket",
    ]);
  });

  it("finds every operand of a binary expression, also after on/ignoring and keywords", () => {
    expect(
      metricNamesIn("min_over_time(outbox_pending_events[10m]) > 0 unless on (service, instance) delta(outbox_published_events[10m]) > 0"),
    ).toEqual(["outbox_pending_events", "outbox_published_events"]);
    expect(metricNamesIn("a_total / ignoring(code) group_left b_total and bool c offset 5m")).toEqual(["a_total", "b_total", "c"]);
  });

  it("does not read numbers with exponents or label values as metrics", () => {
    expect(metricNamesIn('up{job="paymesh and more"} == 1e3')).toEqual(["up"]);
  });
});
