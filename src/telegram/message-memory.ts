import { LRUCache } from "lru-cache";
import type { Keyboard } from "./keyboard.js";

/** One page of a card longer than one Telegram message, ready to be put in place by a page button. */
export interface CardPage {
  text: string;
  keyboard: Keyboard;
}

/** What the adapter must recall about one sent message when its buttons are pressed. */
export interface MessageMemo {
  /** The choice ids of a message whose buttons carry indexes (an id too long for callback data). */
  choiceIds?: string[];
  /** Every page of a card longer than one Telegram message. */
  pages?: CardPage[];
}

/** The scenario card the participant works on in a chat: the message to edit, and what it shrinks to. */
export interface LiveCard {
  messageId: number;
  cardId: string;
  /** The card's one-line summary, rendered, for when it stops being the live one. */
  summary: string;
}

/**
 * What the adapter remembers about its messages, in memory: memos by chat and
 * message id, and the live card of each chat.
 *
 * Why memory and not a table: the bot runs in one process per token, and
 * forgetting is safe. The live card is only needed when the participant
 * types (the old card shrinks to its summary as the card moves below their
 * message); a press names its own message, and its card key says whether it
 * is the card being shown, so presses keep working after a restart. Memos
 * are needed for two rare cases (a card longer than 4,096 characters, shown
 * in pages; a choice id too long for callback data): after a restart a page
 * button opens its response again through the engine, an index button
 * answers "out of date" and changes nothing.
 */
export class MessageMemory {
  // Least recently used first out: reading an entry keeps it.
  private readonly memos: LRUCache<string, MessageMemo>;
  private readonly cards: LRUCache<number, LiveCard>;
  constructor(maxEntries = 20_000) {
    this.memos = new LRUCache({ max: maxEntries });
    this.cards = new LRUCache({ max: maxEntries });
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

  liveCard(chatId: number): LiveCard | undefined {
    return this.cards.get(chatId);
  }

  setLiveCard(chatId: number, card: LiveCard): void {
    this.cards.set(chatId, card);
  }

  /** The card message `messageId` is no longer live (closed into its summary). */
  cardClosed(chatId: number, messageId: number): void {
    if (this.cards.get(chatId)?.messageId === messageId) this.cards.delete(chatId);
  }
}
