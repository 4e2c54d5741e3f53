#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
//
// A minimal CRI (runtime.v1) client for the e2e test (Debian 12 ships no
// crictl). It makes the calls kubelet makes, one at a time:
//
//   node cri-client.js --endpoint unix:///path/containerd.sock Method ['{"json":"request"}']
//
// The request is the method's message as JSON (proto field names, e.g.
// {"config":{"metadata":{"name":"p"}},"runtime_handler":"cinch"}); '-' or no
// argument reads it from stdin. The reply is printed as one JSON line on
// stdout (enums as names, 64-bit ints as numbers, bytes as UTF-8 text).
// A failed call prints "CRI <Method>: <gRPC code>: <details>" on stderr and
// exits 1, so the test can match the runtime's error text in it.
//
// Starting node costs most of a second per call on a busy machine, so the
// test keeps one client running:
//
//   node cri-client.js --endpoint E --serve IN_FIFO OUT_FIFO
//
// reads requests "SEQ Method JSON" (one line each) from IN_FIFO and answers
// each on OUT_FIFO with "SEQ OK <reply JSON>" or "SEQ ERR <message>". Both
// FIFOs are held open read-write, so neither side blocks on open and a
// client that went away does not stop the server.
'use strict';

const path = require('path');
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const IMAGE_METHODS = new Set(['ListImages']);

function usage(msg) {
	if (msg) process.stderr.write(`cri-client: ${msg}\n`);
	process.stderr.write('usage: cri-client.js --endpoint unix:///SOCK [--timeout SECONDS] Method [JSON|-]\n');
	process.exit(2);
}

function parseArgs(argv) {
	const opts = { endpoint: process.env.CRI_ENDPOINT || '', timeout: 120, method: '', body: undefined, serve: null };
	const rest = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--endpoint') opts.endpoint = argv[++i] || usage('--endpoint: missing value');
		else if (a === '--timeout') opts.timeout = Number(argv[++i]);
		else if (a === '--serve') opts.serve = [argv[++i], argv[++i]];
		else rest.push(a);
	}
	if (!opts.endpoint) usage('no --endpoint (or CRI_ENDPOINT)');
	if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) usage('--timeout: expected a positive number');
	if (opts.serve) {
		if (!opts.serve[0] || !opts.serve[1] || rest.length) usage('--serve IN_FIFO OUT_FIFO takes no method');
		return opts;
	}
	if (rest.length < 1 || rest.length > 2) usage();
	opts.method = rest[0];
	opts.body = rest[1];
	return opts;
}

function readRequest(body) {
	const text = body === undefined || body === '-' ? fs.readFileSync(0, 'utf8') : body;
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch (e) {
		usage(`request is not JSON: ${e.message}`);
	}
}

// Buffers (ExecSync stdout/stderr) become text so shell tests can compare them.
function replacer(key, value) {
	if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data).toString('utf8');
	return value;
}

function loadApi() {
	const def = protoLoader.loadSync(path.join(__dirname, 'cri.proto'), {
		keepCase: true,
		longs: Number,
		enums: String,
		defaults: true,
	});
	return grpc.loadPackageDefinition(def).runtime.v1;
}

// call(clients, method, request, timeoutSeconds, done(errText, replyJson))
function call(clients, method, request, timeout, done) {
	const client = IMAGE_METHODS.has(method) ? clients.image : clients.runtime;
	if (typeof client[method] !== 'function') return done(`CRI ${method}: unknown method`);
	const deadline = new Date(Date.now() + timeout * 1000);
	client[method](request, { deadline }, (err, reply) => {
		if (err) {
			const code = grpc.status[err.code] || String(err.code);
			return done(`CRI ${method}: ${code}: ${err.details || err.message}`);
		}
		done(null, JSON.stringify(reply, replacer));
	});
}

function serve(opts, clients) {
	const readline = require('readline');
	const input = fs.createReadStream(opts.serve[0], { flags: 'r+' });
	const out = fs.openSync(opts.serve[1], 'r+');
	const answer = (seq, text) => fs.writeSync(out, `${seq} ${text.replace(/\n/g, ' ')}\n`);
	readline.createInterface({ input }).on('line', (line) => {
		const m = /^(\S+) (\S+) ?(.*)$/.exec(line);
		if (!m) return;
		let request;
		try {
			request = m[3].trim() === '' ? {} : JSON.parse(m[3]);
		} catch (e) {
			return answer(m[1], `ERR CRI ${m[2]}: request is not JSON: ${e.message}`);
		}
		call(clients, m[2], request, opts.timeout, (err, reply) => answer(m[1], err ? `ERR ${err}` : `OK ${reply}`));
	});
}

function main() {
	const opts = parseArgs(process.argv.slice(2));
	const api = loadApi();
	const creds = grpc.credentials.createInsecure();
	const clients = {
		runtime: new api.RuntimeService(opts.endpoint, creds),
		image: new api.ImageService(opts.endpoint, creds),
	};
	if (opts.serve) return serve(opts, clients);
	const request = readRequest(opts.body);
	call(clients, opts.method, request, opts.timeout, (err, reply) => {
		if (err) {
			process.stderr.write(err + '\n');
			process.exit(1);
		}
		process.stdout.write(reply + '\n');
		process.exit(0);
	});
}

main();
