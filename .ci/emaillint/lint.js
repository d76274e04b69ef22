// Lints HTML mail against caniemail's data for the clients Agora's
// templates must work in. Usage: node lint.js FILE.html...
// Prints {"FILE": ["`feature` is not supported by `client`", ...], ...}.
'use strict';
const fs = require('fs');
const { doIUseEmail } = require('@jsx-email/doiuse-email');

const clients = ['gmail.*', 'outlook.*', 'apple-mail.*'];
const out = {};
for (const file of process.argv.slice(2)) {
  const r = doIUseEmail(fs.readFileSync(file, 'utf8'), { emailClients: clients });
  out[file] = r.success ? [] : r.errors;
}
process.stdout.write(JSON.stringify(out));
