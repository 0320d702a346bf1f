import { LANGUAGES } from '../../src/domain/language';
import { runDialogue, type DialogueWorld } from '../../src/cli/dialogue-runner';
import { loadDialogues } from '../../src/cli/dialogue-suite';
import { startTestEngine, type TestEngine } from '../support/engine-setup';

/**
 * The dialogue suite (tests/dialogues/<lng>.json, format in FORMAT.md): people typing rather than
 * tapping, played through the real engine on FerretDB + Redis. One test per dialogue; a failure
 * lists every expectation that did not hold. `npm run eval:dialogues` prints the same as shares.
 */
let env: TestEngine;
let world: DialogueWorld;
beforeAll(async () => {
  env = await startTestEngine('dialogues');
  world = { core: env.core, cipher: env.services.cipher, clock: env.clock };
});
afterAll(async () => env.teardown());

describe.each(LANGUAGES)('dialogues (%s)', (language) => {
  const dialogues = loadDialogues(language);

  it('has dialogues', () => {
    expect(dialogues.length).toBeGreaterThan(0);
  });

  it.each(dialogues.map((d) => [d.id, d] as const))('%s', async (_id, dialogue) => {
    const result = await runDialogue(world, dialogue);
    expect(result.failures).toEqual([]);
  });
});
