import { createActor, toPromise, type AnyActorLogic } from 'xstate';
import type { ChatMachine } from '../../machines/chat.machine.js';
import { provideEffects, type EffectPorts } from '../../services/worker/effects.js';

export type Settled = { ok: true; output: unknown } | { ok: false; error: unknown };

interface Call {
  src: string;
  input: unknown;
  ports: () => EffectPorts;
  /** Names the ports' configuration: the same call may settle differently with billing down. */
  variant: string;
}

const keyOf = (call: Pick<Call, 'src' | 'input' | 'variant'>) => `${call.variant} ${call.src} ${JSON.stringify(call.input)}`;

/**
 * What each side effect of the chat machine answers, learnt from the real effects (provideEffects
 * over the in-memory fixtures). xstate/graph walks a machine synchronously, but the effects are
 * promises: the walk asks the oracle, notes each call it cannot answer yet, and is walked again once
 * those calls have been run, until nothing new is asked.
 */
export class EffectOracle {
  private readonly settled = new Map<string, Settled>();
  private readonly missing = new Map<string, Call>();

  constructor(private readonly machine: ChatMachine) {}

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
      const logic = provideEffects(this.machine, call.ports()).implementations.actors[call.src] as AnyActorLogic;
      const settled = await toPromise(createActor(logic, { input: call.input }).start()).then(
        (output): Settled => ({ ok: true, output }),
        (error): Settled => ({ ok: false, error }),
      );
      this.settled.set(key, settled);
    }
    this.missing.clear();
  }
}
