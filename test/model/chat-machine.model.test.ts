import { beforeAll, describe, expect, test } from 'vitest';
import { chatDialogue } from '../../machines/dialogue.js';
import { content } from '../harness/dialogue-driver.js';
import { CoverageRecorder, coverageRows, formatCoverage, type CoverageRow } from './coverage.js';
import { EffectOracle } from './effect-oracle.js';
import { describeViolation, shortestOfEach, type Invariant, type Violation } from './invariants.js';
import { KNOWN_DEFECTS } from './known-defects.js';
import { PathRunner } from './path-runner.js';
import { SCENARIOS } from './scenarios.js';
import { walkScenario } from './walk.js';

/**
 * Model-based tests of the chat machine: xstate/graph walks each section over the buttons of the
 * keyboards the machine itself showed, the answers its prompts ask for and a set of wrong inputs;
 * every path is then run as a worker runs it, turn by turn, and the invariants are checked.
 */
describe('the chat machine, walked section by section', () => {
  const dialogue = chatDialogue(content);
  const recorder = new CoverageRecorder();
  let violations: Violation[] = [];
  let rows: CoverageRow[] = [];

  beforeAll(async () => {
    const oracle = new EffectOracle(dialogue.machine);
    const runner = new PathRunner(dialogue, recorder);
    const started = performance.now();
    let paths = 0;
    for (const scenario of SCENARIOS) {
      const walk = await walkScenario(dialogue.machine, oracle, scenario);
      for (const path of walk.paths) await runner.run(path);
      paths += walk.paths.length;
    }
    violations = shortestOfEach(runner.violations);
    rows = coverageRows(dialogue.machine, recorder);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `Model walk: ${SCENARIOS.length} scenarios, ${paths} paths, ${runner.turns} turns in ${seconds} s\n` +
        `${formatCoverage(rows)}`,
    );
    const known = violations.filter((v) => KNOWN_DEFECTS.some((d) => d.matches(v)));
    if (known.length > 0)
      console.log(`Known defects seen (${known.length}):\n${known.map(describeViolation).join('\n')}`);
  }, 180_000);

  const unexpected = (invariant: Invariant) =>
    violations
      .filter((v) => v.invariant === invariant && !KNOWN_DEFECTS.some((d) => d.matches(v)))
      .map(describeViolation);

  test('(a) a turn that replies leaves a keyboard on the screen', () => {
    expect(unexpected('keyboard')).toEqual([]);
  });

  test('(b) from every screen, «В меню» leads to the main menu', () => {
    expect(unexpected('way-to-menu')).toEqual([]);
  });

  test('(c) every message is one Viber accepts, with keyboards in the chat colour', () => {
    expect(unexpected('viber')).toEqual([]);
    expect(unexpected('colour')).toEqual([]);
  });

  test('(c) every message, as the Bot API calls it becomes, is one Telegram accepts', () => {
    expect(unexpected('telegram')).toEqual([]);
  });

  test("the worker's turns reach the states the model predicts", () => {
    expect(unexpected('model')).toEqual([]);
  });

  test('(d) every state of the machine is reached', () => {
    const total = rows.find((row) => row.section === 'total')!;
    expect(total.states.missed).toEqual([]);
  });

  test(
    '(e) every transition of the machine is taken ' + '(the scenarios give every answer of billing, SMS and payments)',
    () => {
      const total = rows.find((row) => row.section === 'total')!;
      expect(total.transitions.missed).toEqual([]);
    },
  );

  test('every known defect still shows (remove it from KNOWN_DEFECTS once fixed)', () => {
    const gone = KNOWN_DEFECTS.filter((defect) => !violations.some(defect.matches)).map((defect) => defect.description);
    expect(gone).toEqual([]);
  });
});
