// @ts-check
/**
 * The hostile values the fuzzer draws from (fast-check arbitraries): ids at and past the contract's
 * limits, text with glob characters, colons, unicode, NUL and lone surrogates, very long strings,
 * deep and huge JSON, wrong content types, bad cookies and bearer tokens.
 */
import fc from 'fast-check'

/** Ids as text: the contract's boundaries and everything that only looks like an id. */
export const idText = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '1',
    '2',
    '9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '9999999999999999',
    '1e3',
    '1E3',
    '0x10',
    '0o7',
    '0b1',
    '1.5',
    '1.0',
    '.5',
    '5.',
    '007',
    '+1',
    '-0',
    ' 1',
    '1 ',
    '1\t',
    'NaN',
    'Infinity',
    '-Infinity',
    '١٢٣',
    '１２',
    '1_000',
    '1,2',
    '[1]',
    '{}',
    'null',
    'true',
    '',
    '18446744073709551616',
    '-9007199254740993',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  // Huge digit strings.
  fc.integer({ min: 17, max: 5_000 }).map((n) => '9'.repeat(n)),
)

/** Ids as JSON numbers (and things in their place). */
export const idNumber = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    2 ** 53,
    2 ** 53 - 1,
    2 ** 53 + 2,
    1e3,
    0x10,
    1.5,
    -0,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    2 ** 64,
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom('1', '9001', null, true, [], {}, [1]),
)

/** Pieces that break naive key builders, globs, parsers and headers. */
const shards = fc.constantFrom(
  '*',
  '?',
  '[',
  ']',
  '\\',
  '[a-z]',
  '[^a]',
  '\\*',
  '*:*',
  '**',
  ':',
  '::',
  ':*',
  '%',
  '%%',
  '%00',
  '%zz',
  '%E0%A4%A',
  '\u0000',
  '\r\n',
  '\n',
  '\t',
  ' ',
  '..',
  '../',
  '/',
  '//',
  '#',
  '&',
  '=',
  '+',
  ';',
  ',',
  '"',
  "'",
  '`',
  '<script>',
  '${x}',
  '{{x}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufeff',
  '\u202e',
  '\u200b',
  '\u2028',
  '😀',
  '👩‍👩‍👧',
  'Ω',
  'ß',
  'İ',
  'ﬀ',
  'e\u0301',
  '日本',
  'ü',
  'user:session:',
  'permission:',
  'guild:1:members',
  'cache:',
  '\u00ff',
  '\u0085',
)

/** Short text built from the shards, with ordinary characters between them. */
const shardText = fc
  .array(fc.oneof(shards, fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''))

/** Strings of every kind: grapheme and binary (lone surrogates), shards, and very long ones. */
export const hostileString = fc.oneof(
  { arbitrary: shardText, weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.constantFrom(200, 1_000, 4_001, 20_000).map((n) => 'x'.repeat(n)), weight: 1 },
  { arbitrary: fc.tuple(shards, fc.integer({ min: 10, max: 3_000 })).map(([s, n]) => s.repeat(n)), weight: 1 },
)

/** Tool names the contract accepts: the guarded ones, the frontend's, any. */
export const validTool = fc.oneof(
  fc.constantFrom('roster', 'settings', 'sync', 'permissions', 'progress', 'raid-planner'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
)

/** A comma list of valid tools. */
export const validToolList = fc.array(validTool, { minLength: 1, maxLength: 6 }).map((tools) => tools.join(','))

/** Tool names: valid ones, the guarded ones, and near misses. */
export const toolText = fc.oneof(
  validTool,
  fc.constantFrom(
    'Roster',
    'a'.repeat(33),
    'ro*',
    'ro?',
    'r[a]',
    'x:y',
    'a b',
    '-a',
    '1a',
    'a_b',
    'ä',
    'roster\u0000',
    '',
  ),
  hostileString,
)

/** A comma list of tools, as `?tools=` takes. */
export const toolList = fc.array(toolText, { minLength: 0, maxLength: 120 }).map((tools) => tools.join(','))

/** Object keys: ordinary, prototype-polluting, empty, very long, unicode. */
export const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '',
    ' ',
    'a'.repeat(300),
    '\u0000',
    '\ud800',
    'tools',
    'checks',
    '$ref',
    'a.b',
  ),
  fc.string({ maxLength: 12 }),
  shardText,
)

/** JSON leaves, the hostile ones over-represented. */
const jsonLeaf = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, 1e308, -1e308, 2 ** 53, 2 ** 64, 1.5, ''),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  hostileString,
)

/** JSON values a few levels deep, with hostile keys and leaves. */
export const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(hostileKey, tie('value'), { maxKeys: 6, noNullPrototype: true }),
})).value

/** Request bodies that are not JSON values: broken text, sizes and depths. Built when the request is sent. */
export const oddBody = fc.oneof(
  fc.record({
    kind: fc.constant('text'),
    text: fc.oneof(
      fc.constantFrom(
        '',
        '{',
        '}',
        '{"a":',
        'nul',
        '[1,]',
        '{"a":1,}',
        "{'a':1}",
        '{"a":1}{"b":2}',
        '\ufeff{}',
        '\u0000',
        '{"__proto__":{"polluted":1}}',
        '{"constructor":{"prototype":{"polluted":1}}}',
        '{"a":"\\u0000"}',
        '{"a":"\\ud800"}',
        '{"a":1e999}',
        '{"a":-0}',
        '[]',
        '[null]',
        'null',
        'true',
        '0',
        '"x"',
        'a=1&b=2',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
        '<x/>',
        '{"tools":{"roster":1e1}}',
      ),
      hostileString,
    ),
  }),
  fc.record({
    kind: fc.constant('deep'),
    shape: fc.constantFrom('array', 'object', 'settings'),
    depth: fc.constantFrom(31, 32, 33, 64, 65, 200, 1_000, 5_000, 10_000, 30_000, 100_000),
  }),
  fc.record({ kind: fc.constant('huge'), bytes: fc.constantFrom(16_385, 65_537, 70_000, 1_048_577, 2_000_000) }),
  fc.record({ kind: fc.constant('wide'), keys: fc.constantFrom(201, 1_000, 5_000) }),
)

/** Content types: right, wrong, malformed. */
export const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json;charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'application/json-patch+json',
  'application/vnd.api+json',
  '',
  ';',
  'json',
  '*/*',
  'application/json, text/plain',
  'application/json; boundary=\u00ff',
  'application/json; charset="utf-8"',
  'application/json ; charset=utf-8',
)

/** Authorization header values that must not authenticate. */
export const badAuthorization = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Bearer  ',
    'bearer',
    'Basic dXNlcjpwYXNz',
    'Bearer null',
    'Bearer undefined',
    'Token abc',
    `Bearer ${'A'.repeat(43)}`,
    `Bearer ${'A'.repeat(42)}`,
    `Bearer ${'A'.repeat(44)}`,
    `Bearer ${'x'.repeat(10_000)}`,
    'Bearer \u00ff\u00fe',
    'Bearer a b',
    'Bearer *',
    'Bearer ../../',
    'Bearer guild-dev-service-token-not-for-production',
  ),
  hostileString.map((s) => `Bearer ${s}`),
)

/** Cookie header values: malformed, duplicated, forged signatures, garbage. */
export const badCookie = fc.oneof(
  fc.constantFrom(
    'sid',
    'sid=',
    'sid=;',
    '=;',
    ';;;',
    'sid=a; sid=b',
    `sid=${'A'.repeat(43)}`,
    'sid=%E0%A4%A',
    'sid="quoted"',
    'oauth_state=s:abc.def',
    'oauth_state=abc',
    'oauth_state=',
    `oauth_state=${'x'.repeat(5_000)}`,
    'sid=\u00ff',
    '__proto__=1',
    'constructor=1',
    `sid=${'x'.repeat(10_000)}`,
  ),
  hostileString.map((s) => `sid=${s}`),
)

/** Origins: none, the app's own, the frontend, and look-alikes. Resolved against the context's lists. */
export const originPlan = fc.constantFrom(
  'none',
  'none',
  'none',
  'public',
  'public',
  'allowed',
  'evil',
  'null',
  'lookalike',
  'garbage',
  'referer-public',
  'referer-evil',
)

/** Headers a client controls that the app might (wrongly) trust. */
export const extraHeaders = fc.record(
  {
    'x-forwarded-for': fc.constantFrom('1.2.3.4', '127.0.0.1, 10.0.0.1', 'garbage', '::1', ''),
    'x-forwarded-host': fc.constantFrom('evil.example', ''),
    accept: fc.constantFrom('application/json', 'application/xml', '*/*', 'text/html', '', 'application/json;q=0'),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
    'x-service-token': fc.constantFrom('x'),
    host: fc.constantFrom('evil.example', 'localhost:1', '[::1]'),
  },
  { requiredKeys: [] },
)

/** Header values a real HTTP parser would accept (no CR, LF or NUL; Latin-1 only). */
export function headerSafe(value) {
  return String(value).replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
}
