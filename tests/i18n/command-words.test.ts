import { describe, expect, it } from "vitest";
import { renderForTerminal } from "../../src/console/render.js";
import { key, localized, type Prompt } from "../../src/core/flow/prompts.js";
import { stripBidiControls } from "../../src/i18n/bidi.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { renderPrompts as renderForSlack } from "../../src/slack/render.js";
import { slackSay } from "../../src/slack/text.js";
import { renderPrompts as renderForTelegram } from "../../src/telegram/render.js";
import { sampleStudy } from "../helpers/flow.js";
import { messageText } from "../helpers/slack-harness.js";

/** `{{command:x}}` in a study text, as each platform's participants read it. */
const i18n = createI18n({ localesDir: LOCALES_DIR });
const study = sampleStudy();
const consent: Prompt[] = [
  { kind: "message", text: localized(study.consent.text) },
  { kind: "question", step: 3, text: key("consent.ask"), choices: [{ id: "yes", label: key("consent.agree") }] },
];

const telegram = (locale: string) =>
  renderForTelegram(consent, { i18n, locale })
    .operations.map((operation) => ("text" in operation ? (operation.text ?? "") : ""))
    .join("\n");
const slack = (locale: string) => messageText({ blocks: renderForSlack(consent, slackSay(i18n, locale), locale).body });
const terminal = (locale: string) => renderForTerminal(consent, i18n, locale).text;

describe("the sample study's consent names the platform's commands", () => {
  it("says {{command:…}} in every language it is written in", () => {
    const texts = study.consent.text;
    if (typeof texts === "string") throw new Error("expected one consent text per locale");
    expect(Object.keys(texts)).toHaveLength(10);
    for (const [locale, text] of Object.entries(texts)) {
      expect(text, locale).toContain("{{command:withdraw}}");
      expect(text, locale).toContain("{{command:mydata}}");
      expect(text, locale).not.toMatch(/(^|\s)\/(withdraw|mydata)/);
    }
  });

  it.each(["en", "ja", "ar", "hi", "es", "zu"])(
    "in %s: /withdraw on Telegram and in the terminal, /chorus withdraw in Slack",
    (locale) => {
      for (const [platform, text] of [
        ["telegram", telegram(locale)],
        ["terminal", terminal(locale)],
      ] as const) {
        const plain = stripBidiControls(text);
        expect(plain, platform).toContain("/withdraw");
        expect(plain, platform).toContain("/mydata");
        expect(plain, platform).not.toContain("{{");
        expect(plain, platform).not.toContain("/chorus");
      }
      const inSlack = stripBidiControls(slack(locale));
      expect(inSlack).toContain("/chorus withdraw");
      expect(inSlack).toContain("/chorus mydata");
      expect(inSlack).not.toMatch(/(^|[^s])\/(withdraw|mydata)/);
      expect(inSlack).not.toContain("{{");
    },
  );

  it("keeps a command readable in a right-to-left text: the whole Slack command is one isolated run", () => {
    // Arabic text, left-to-right command: "/chorus withdraw" must not be split by the bidi algorithm.
    expect(slack("ar")).toContain("\u2066/chorus withdraw\u2069");
    expect(telegram("ar")).toContain("\u2066/withdraw\u2069");
  });

  it("writes commands inside study texts passed as parameters of locale texts, once", () => {
    const welcome: Prompt = {
      kind: "message",
      text: key("start.welcome", { title: localized({ en: "Send {{command:help}} any time" }) }),
    };
    const inSlack = messageText({ blocks: renderForSlack([welcome], slackSay(i18n, "en"), "en").body });
    expect(inSlack).toContain("Send /chorus help any time");
    expect(inSlack).not.toContain("/chorus chorus");
    expect(renderForTerminal([welcome], i18n, "en").text).toContain("Send /help any time");
  });
});
