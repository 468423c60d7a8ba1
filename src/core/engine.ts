import type { Engine, EngineOutcome, EngineResult, HandleOptions } from "./engine-types.js";
import { CorruptStateError } from "./errors.js";
import type { FlowContext } from "./flow/context.js";
import type { Input } from "./flow/inputs.js";
import { key } from "./flow/prompts.js";
import { currentPrompts } from "./flow/render.js";
import { type FlowState, FlowStateSchema, RECENT_EVENTS } from "./flow/state.js";
import { migrateFlowState } from "./flow/state-migrations.js";
import { initialState, transition } from "./flow/transition.js";
import { closestOfferedLocale } from "./locales.js";
import type { Clock, LanguageDetector, ParticipantRecord, ParticipantRef, PlaceMatcher, SurveyStore } from "./ports.js";
import type { Study } from "./study/schema.js";

/** Recruitment sources arrive in deep links: at most 64 characters of A-Z a-z 0-9 _ -. */
export function isRecruitmentSource(source: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(source);
}

export interface EngineDependencies {
  store: SurveyStore;
  clock: Clock;
  random: () => number;
  newParticipantId: () => string;
  /** UI locales offered, in menu order; the first is the fallback. */
  locales: readonly string[];
  detectLanguage?: LanguageDetector;
  matchPlace?: PlaceMatcher;
}

/**
 * The survey engine: every input is one synchronous store transaction that
 * loads the participant's state, runs the pure transition, saves the new
 * state and records the answers. No await happens between read and write, so
 * several processes sharing the database file never interleave inside one.
 */
export function createEngine(deps: EngineDependencies): Engine {
  const { store } = deps;
  /**
   * States this engine validated or produced (transitions are pure and their
   * output is valid by construction). A store may hand back the same object
   * it was given, which then needs no second validation on the hot path.
   */
  const knownValid = new WeakSet<object>();
  const fallbackLocale = deps.locales[0] ?? "en";

  function supportedLocale(suggested: string | undefined): string {
    return closestOfferedLocale(deps.locales, suggested) ?? fallbackLocale;
  }

  function context(study: Study, participantId: string, now: string, options: HandleOptions = {}): FlowContext {
    // One literal of fixed shape, absent options undefined: a spread ahead of the other
    // properties made V8 build every input's context the slow way (~10 µs measured on Node 20).
    return {
      surface: options.surface,
      study,
      now,
      random: deps.random,
      locales: deps.locales,
      assessmentCounts: () => store.assessmentCounts(study.id),
      assignedScenarioIds: () => store.assignedScenarioIds(participantId),
      quotaCount: (match) => store.quotaCount(study.id, match),
      dataSummary: () => store.dataSummary(participantId),
      detectLanguage: deps.detectLanguage,
      matchPlace: deps.matchPlace,
    };
  }

  function handleInTransaction(ref: ParticipantRef, input: Input, options: HandleOptions): EngineResult {
    const now = deps.clock.now().toISOString();
    const { eventId } = options;
    const existing = store.findParticipant(ref);
    if (!existing) {
      // Only an explicit start makes someone a participant: an old button, a
      // replay after withdrawal or a stray message stores nothing at all.
      if (input.kind !== "start") return notParticipant(input);
      // A newcomer's start is claimed in the table (there is no state row to remember it in yet).
      if (eventId !== undefined && !store.claimEvent(ref.platform, eventId, now)) {
        return { prompts: [], locale: fallbackLocale, participantId: undefined, duplicate: true };
      }
      return welcomeNewcomer(ref, input, now, eventId, options);
    }

    const study = store.study(existing.studyId);
    if (!study) throw new Error(`study ${existing.studyId} of participant ${existing.id} is missing`);
    const raw = store.loadState(existing.id);
    const checked = checkState(raw);
    const ctx = context(study, existing.id, now, options);
    if (!checked.ok) return corruptStateInput(existing, raw, input, ctx, checked.detail);
    const state = checked.state;
    if (eventId !== undefined && state.recentEvents.includes(eventId)) {
      return { prompts: [], locale: state.locale, participantId: existing.id, duplicate: true };
    }
    const result = transition(state, input, ctx);
    for (const effect of result.effects) store.applyEffect(existing.id, effect);
    if (result.state) {
      const next = eventId === undefined ? result.state : remember(result.state, eventId);
      knownValid.add(next);
      store.saveState(existing.id, next, now);
    } else if (eventId !== undefined) {
      // Deleted (withdrawn): a redelivery of this very update must not welcome them anew.
      store.claimEvent(ref.platform, eventId, now);
    }
    return {
      prompts: result.prompts,
      locale: result.state?.locale ?? state.locale,
      participantId: existing.id,
      duplicate: false,
    };
  }

  function checkState(raw: unknown): { ok: true; state: FlowState } | { ok: false; detail: string } {
    if (typeof raw === "object" && raw !== null && knownValid.has(raw)) return { ok: true, state: raw as FlowState };
    const parsed = FlowStateSchema.safeParse(migrateFlowState(raw));
    if (!parsed.success) return { ok: false, detail: parsed.error.issues[0]?.message ?? "invalid" };
    knownValid.add(parsed.data);
    return { ok: true, state: parsed.data };
  }

  /**
   * A stored state that no longer validates, even migrated: "my data" and
   * "withdraw" still work (a participant's rights never depend on the survey
   * state); anything else is an error for the operator to look at.
   */
  function corruptStateInput(
    participant: ParticipantRecord,
    raw: unknown,
    input: Input,
    ctx: FlowContext,
    detail: string,
  ): EngineResult {
    const base = { locale: participant.locale, participantId: participant.id, duplicate: false };
    if (input.kind === "command" && input.name === "mydata") {
      return { ...base, prompts: transition(recoveryState(participant, raw, ctx), input, ctx).prompts };
    }
    if (input.kind === "command" && input.name === "withdraw") {
      // A fresh, valid state that only asks the withdrawal question; "yes" deletes everything.
      const result = transition(recoveryState(participant, raw, ctx), input, ctx);
      if (result.state) {
        knownValid.add(result.state);
        store.saveState(participant.id, result.state, ctx.now);
      }
      return { ...base, prompts: result.prompts };
    }
    throw new CorruptStateError(participant.id, detail);
  }

  function recoveryState(participant: ParticipantRecord, raw: unknown, ctx: FlowContext): FlowState {
    const step = typeof raw === "object" && raw !== null ? (raw as { step?: unknown }).step : undefined;
    const fresh = initialState(participant.studyId, participant.locale, ctx.now);
    return { ...fresh, phase: "completed", step: typeof step === "number" ? step + 1 : fresh.step };
  }

  /** Someone with no participant row who did something other than start. */
  function notParticipant(input: Input): EngineResult {
    const textKey =
      input.kind === "choice" || input.kind === "card_submit"
        ? "withdraw.gone"
        : input.kind === "command" && (input.name === "withdraw" || input.name === "mydata")
          ? "mydata.none"
          : "start.how_to_begin";
    return {
      prompts: [{ kind: "message", text: key(textKey) }],
      locale: fallbackLocale,
      participantId: undefined,
      duplicate: false,
    };
  }

  function remember(state: FlowState, eventId: string): FlowState {
    return { ...state, recentEvents: [...state.recentEvents, eventId].slice(-RECENT_EVENTS) };
  }

  /** First contact: a participant row and a fresh state, whatever the input was. */
  function welcomeNewcomer(
    ref: ParticipantRef,
    input: Extract<Input, { kind: "start" }>,
    now: string,
    eventId: string | undefined,
    options: HandleOptions,
  ): EngineResult {
    const locale = supportedLocale(input.suggestedLocale);
    const study = store.openStudy();
    if (!study) {
      return {
        prompts: [{ kind: "message", text: key("errors.no_open_study") }],
        locale,
        participantId: undefined,
        duplicate: false,
      };
    }
    const id = deps.newParticipantId();
    store.createParticipant({
      id,
      studyId: study.id,
      platform: ref.platform,
      platformUserId: ref.platformUserId,
      locale,
      status: "active",
      source: input.source && isRecruitmentSource(input.source) ? input.source : null,
      createdAt: now,
    });
    // The first event is both claimed in processed_events and remembered in the state,
    // so its redelivery is a no-op whether the participant still exists or not.
    const fresh = initialState(study.id, locale, now);
    const state = eventId === undefined ? fresh : remember(fresh, eventId);
    knownValid.add(state);
    store.saveState(id, state, now);
    const welcome = key("start.welcome", { title: { localized: study.title } });
    const prompts = [
      { kind: "message" as const, text: welcome },
      ...currentPrompts(state, context(study, id, now, options)),
    ];
    return { prompts, locale, participantId: id, duplicate: false };
  }

  return {
    handle(ref, input, options = {}) {
      return store.transaction(() => handleInTransaction(ref, input, options));
    },
    handleMany(calls) {
      return store.transaction(() =>
        calls.map((call): EngineOutcome => {
          try {
            // A transaction inside the transaction is a savepoint: this input alone is undone if it throws.
            return {
              ok: true,
              result: store.transaction(() => handleInTransaction(call.ref, call.input, call.options ?? {})),
            };
          } catch (error) {
            return { ok: false, error };
          }
        }),
      );
    },
  };
}
