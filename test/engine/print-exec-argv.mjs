// Loaded with --import by node-flags.test.ts: tells the test which flags the process started with.
process.on('exit', () => process.stderr.write(`execArgv=${JSON.stringify(process.execArgv)}\n`));
