import type { ChatMachine } from '../../machines/chat.machine.js';
import { effectRunner, type EffectOutcome, type EffectPorts } from '../../services/worker/index.js';

/** How an effect settled, in the very shape the worker feeds back: an error is `{ message }`. */
export type Settled = EffectOutcome;

interface Call {
  src: string;
  input: unknown;
  ports: () => EffectPorts;
  /** Names the ports' configuration: the same call may settle differently with billing down. */
  variant: string;
}

const keyOf = (call: Pick<Call, 'src' | 'input' | 'variant'>) =>
  `${call.variant} ${call.src} ${JSON.stringify(call.input)}`;

/**
 * What each side effect of the chat machine answers, learnt from the worker's own effect runner
 * over the in-memory fixtures, so that an answer (a failure's message included) is exactly what
 * the worker would feed the machine. xstate/graph walks a machine synchronously, but the effects
 * are promises: the walk asks the oracle, notes each call it cannot answer yet, and is walked
 * again once those calls have been run, until nothing new is asked.
 */
export class EffectOracle {
  private readonly settled = new Map<string, Settled>();
  private readonly missing = new Map<string, Call>();

  /** The machine is not needed any more (the runner knows the effects by name); kept for the callers. */
  constructor(_machine?: ChatMachine) {}

  lookup(call: Call): Settled | undefined {
    const known = this.settled.get(keyOf(call));
    if (!known) this.missing.set(keyOf(call), call);
    return known;
  }

  get hasMissing(): boolean {
    return this.missing.size > 0;
  }

  /** Runs every call that was asked for and not known, each with fresh fixtures. */
  async learnMissing(): Promise<void> {
    for (const [key, call] of this.missing) {
      // The runner (handlers by name, a timeout, a failure as `{ message }`) as the worker has it.
      const run = effectRunner(call.ports(), 2_000);
      this.settled.set(
        key,
        await run({ id: 'oracle', childId: 'oracle', src: call.src, input: call.input }, { channel: 'viber' }),
      );
    }
    this.missing.clear();
  }
}
