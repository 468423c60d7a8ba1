import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processedEventIds } from "../helpers/processed-events.js";
import { type SlackHarness, signSlackRequest, startSlackHarness } from "../helpers/slack-harness.js";

/** A DM message event as Slack would send it. */
function messageEvent(eventId: string): string {
  return JSON.stringify({
    type: "event_callback",
    team_id: "T0CHORUS",
    api_app_id: "A0CHORUS",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: "message", channel: "D0MALLORY", channel_type: "im", user: "U0MALLORY", text: "hi", ts: "1.2" },
  });
}

describe("Slack request signatures (HTTP mode)", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const nothingHappened = () => {
    // Only the start-up token check (auth.test) ever reached the Web API.
    expect(h.fake.calls.filter((call) => call.method !== "auth.test")).toEqual([]);
    expect(h.database.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 0 });
    expect(processedEventIds(h.database.sqlite)).toEqual([]);
  };

  it("refuses an unsigned request", async () => {
    const response = await h.post(messageEvent("EvUnsigned"), { "content-type": "application/json" });
    expect(response.status).toBe(401);
    await h.slack.idle();
    nothingHappened();
  });

  it("refuses a request signed with another secret", async () => {
    const body = messageEvent("EvForged");
    const response = await h.post(body, {
      "content-type": "application/json",
      ...signSlackRequest("not-the-signing-secret", body),
    });
    expect(response.status).toBe(401);
    await h.slack.idle();
    nothingHappened();
  });

  it("refuses a correctly signed request whose timestamp is older than five minutes (a replay)", async () => {
    const body = messageEvent("EvStale");
    const response = await h.post(body, {
      "content-type": "application/json",
      ...signSlackRequest(h.signingSecret, body, Math.floor(Date.now() / 1000) - 6 * 60),
    });
    expect(response.status).toBe(401);
    await h.slack.idle();
    nothingHappened();
  });

  it("refuses a body altered after signing", async () => {
    const body = messageEvent("EvAltered");
    const headers = signSlackRequest(h.signingSecret, body);
    const response = await h.post(body.replace('"hi"', '"hello"'), { "content-type": "application/json", ...headers });
    expect(response.status).toBe(401);
    await h.slack.idle();
    nothingHappened();
  });

  it("accepts the same request correctly signed and fresh", async () => {
    const body = messageEvent("EvGood");
    const response = await h.post(body, {
      "content-type": "application/json",
      ...signSlackRequest(h.signingSecret, body),
    });
    expect(response.status).toBe(200);
    await h.slack.idle();
    // Answered (a stranger's message: how to begin), and still nobody was made a participant.
    const posted = h.fake.callsOf("chat.postMessage");
    expect(posted.map((call) => call.args.text)).toEqual(["Hello! To take part in the survey, send /chorus start."]);
    expect(h.database.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 0 });
  });
});
