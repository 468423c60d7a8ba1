import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SLASH_COMMAND } from "../../src/slack/listeners/commands/index.js";

const manifest = JSON.parse(readFileSync(new URL("../../src/slack/manifest.json", import.meta.url), "utf8"));

describe("src/slack/manifest.json", () => {
  it("declares what the listeners handle and the scopes the Web API calls need", () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(["app_home_opened", "message.im"]);
    expect(manifest.features.slash_commands.map((command: { command: string }) => command.command)).toEqual([
      SLASH_COMMAND,
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
    // chat.postMessage/update/postEphemeral, /chorus, message.im, conversations.open, users.info.
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      "chat:write",
      "commands",
      "im:history",
      "im:write",
      "users:read",
    ]);
  });

  it("keeps to Slack's manifest limits", () => {
    const info = manifest.display_information;
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.long_description.length).toBeGreaterThanOrEqual(175);
    expect(info.long_description.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
  });
});
