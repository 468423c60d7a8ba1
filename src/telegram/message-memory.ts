import type { Keyboard } from "./render.js";

/** One page of a response viewer, ready to be put in place by a page button. */
export interface ViewerPage {
  text: string;
  keyboard: Keyboard;
}

/** What the adapter must recall about one sent message when its buttons are pressed. */
export interface MessageMemo {
  /** The prompt's choice ids, when its buttons carry indexes (an id was too long for 64 bytes). */
  choiceIds?: string[];
  /** Every page of a response viewer longer than one Telegram message. */
  pages?: ViewerPage[];
}

/**
 * A bounded map with least-recently-used eviction (a Map keeps insertion
 * order; reading an entry moves it to the end).
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly maxEntries: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Memos of sent messages, by chat and message id, kept in memory.
 *
 * Why memory and not a table: only two rare cases need a memo (a response
 * longer than 4,096 characters, shown in pages; a choice id too long for
 * callback data), the bot runs in one process per token, and forgetting is
 * safe: after a restart such a button answers "out of date" and changes
 * nothing, while ◀ ▶ and every other button keep working because they carry
 * everything in their callback data. The response viewer itself is edited in
 * place using the message the button was pressed on, so it needs no memo.
 */
export class MessageMemory {
  private readonly memos: LruMap<string, MessageMemo>;
  constructor(maxEntries = 20_000) {
    this.memos = new LruMap(maxEntries);
  }

  /** Records (or, with an empty memo, forgets) what a message's buttons need. */
  remember(chatId: number, messageId: number, memo: MessageMemo | undefined): void {
    const key = `${chatId}:${messageId}`;
    if (memo && (memo.choiceIds || memo.pages)) this.memos.set(key, memo);
    else this.memos.delete(key);
  }

  recall(chatId: number, messageId: number): MessageMemo | undefined {
    return this.memos.get(`${chatId}:${messageId}`);
  }
}
