import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../../shared/ops/logger.js';
import type { ChatSettings } from '../../../shared/ports/chat-settings.js';
import { transitionReporter } from '../inspection.js';
import type { Lease } from '../ownership/index.js';
import { NotOwner, type ChatActorDeps } from './chat-actor.js';

/** What every chat actor of the worker shares, built once. */
export type SharedActorDeps = Pick<
  ChatActorDeps,
  'dialogue' | 'store' | 'runEffect' | 'publishReplies' | 'now' | 'onStep'
>;

export interface ActorDepsOptions {
  shared: SharedActorDeps;
  /** The lease the worker holds for the partition now, if any. */
  leaseOf(partition: number): Lease | undefined;
  /** Whether the worker still holds `lease`. */
  holds(lease: Lease): boolean;
  /** Where the chats' button colours are kept for ingress. */
  settings: ChatSettings;
  logger: Logger;
  /** Given, each chat's transitions are reported on it, for the simulator's live diagram. */
  inspection?: NatsConnection;
  /** The chat's own ports to add (its timers and reminders). */
  more?(chatId: string): Partial<ChatActorDeps>;
}

/** The dependencies of one chat's actor, made when the actor is: what is shared, and the chat's own. */
export function chatActorDeps(options: ActorDepsOptions): (chatId: string, partition: number) => ChatActorDeps {
  const { shared, settings, logger, inspection } = options;
  return (chatId, partition) => {
    // The lease of the term in which the actor was made: a later term makes new actors.
    const lease = options.leaseOf(partition);
    const own = options.more?.(chatId) ?? {};
    // Ingress reads the colour for the welcome. Best effort: a welcome in the default colour is no
    // reason to fail a turn.
    const keepColour: ChatActorDeps['onSaved'] = async (before, after) => {
      if (!after.buttonColor || after.buttonColor === before.buttonColor) return;
      await settings
        .setButtonColor(chatId, after.buttonColor)
        .catch((error: unknown) => logger.warn({ err: error }, 'could not keep the chat colour for the welcome'));
    };
    return {
      ...shared,
      fence() {
        if (!lease || !options.holds(lease)) throw new NotOwner(`partition ${partition} is no longer ours`);
      },
      onTransition: inspection ? transitionReporter(inspection, chatId) : undefined,
      ...own,
      onSaved: inOrder(keepColour, own.onSaved),
    };
  };
}

/** The hooks one after the other. */
const inOrder =
  (...hooks: (ChatActorDeps['onSaved'] | undefined)[]): NonNullable<ChatActorDeps['onSaved']> =>
  async (before, after) => {
    for (const hook of hooks) await hook?.(before, after);
  };
