import { describe, expect, it } from 'vitest';
import { cookieValue, parseSubmissionBody, splitInputs, submitLimits } from '../../../functions/forms/domain/wire.js';

const parse = (text: string, type = 'application/json') => parseSubmissionBody(text, Buffer.byteLength(text), type);

describe('submission wire format', () => {
  it('reads a JSON object of strings and booleans', () => {
    expect(parse(JSON.stringify({ email: 'a@b.jp', agree: true, off: false, n: 3, gone: null }))).toEqual({
      inputs: { email: 'a@b.jp', agree: 'true', off: 'false', n: '3' },
      formPost: false,
    });
  });

  it('reads a plain HTML form post, keeping the last of a repeated name', () => {
    const out = parse('email=a%40b.jp&name=%E5%B1%B1%E7%94%B0+%E8%8A%B1&_consent.news=on&x=1&x=2', 'application/x-www-form-urlencoded; charset=UTF-8');
    expect(out).toEqual({ inputs: { email: 'a@b.jp', name: '山田 花', '_consent.news': 'on', x: '2' }, formPost: true });
  });

  it('refuses what is not an object of strings, naming the field', () => {
    expect(() => parse('not json')).toThrow(/body: not valid JSON/);
    expect(() => parse('[1]')).toThrow(/body: must be a JSON object/);
    expect(() => parse(JSON.stringify({ company: { nested: 1 } }))).toThrow(expect.objectContaining({ statusCode: 400, details: { field: 'company' } }));
  });

  it(`refuses a body over ${submitLimits.bodyBytes} bytes with 413, more than ${submitLimits.inputs} inputs, a value over ${submitLimits.valueChars} chars`, () => {
    const big = JSON.stringify({ a: 'x'.repeat(submitLimits.bodyBytes) });
    expect(() => parse(big)).toThrow(expect.objectContaining({ statusCode: 413 }));
    const many = Object.fromEntries(Array.from({ length: submitLimits.inputs + 1 }, (_, i) => [`f${i}`, '1']));
    expect(() => parse(JSON.stringify(many))).toThrow(/more than 100 inputs/);
    expect(() => parse(JSON.stringify(Object.fromEntries(Array.from({ length: submitLimits.inputs }, (_, i) => [`f${i}`, '1']))))).not.toThrow();
    expect(() => parse(JSON.stringify({ message: 'x'.repeat(submitLimits.valueChars + 1) }))).toThrow(expect.objectContaining({ details: { field: 'message' } }));
    expect(parse(JSON.stringify({ message: 'x'.repeat(submitLimits.valueChars) })).inputs.message).toHaveLength(submitLimits.valueChars);
  });

  it('splits reserved inputs, ticked consents and utm parameters from the field values', () => {
    const out = splitInputs({
      email: 'a@b.jp',
      _token: 't',
      _sid: 'sid-12345',
      _hp: '',
      _lang: 'en',
      _page: 'brochure',
      '_consent.news': 'on',
      '_consent.ads': 'false',
      utm_source: 'mail',
      _unknown: 'dropped',
    });
    expect(out).toMatchObject({ token: 't', submissionId: 'sid-12345', locale: 'en', page: 'brochure', utm: { utm_source: 'mail' }, values: { email: 'a@b.jp' } });
    expect(out.honeypot).toBeUndefined();
    expect([...out.consents]).toEqual(['news']);
  });

  it('finds the anonymous id cookie in a Cookie header or API Gateway cookies', () => {
    expect(cookieValue('a=1; nurture_aid=abc-1; b=2', 'nurture_aid')).toBe('abc-1');
    expect(cookieValue(['x=y', 'nurture_aid=zz'], 'nurture_aid')).toBe('zz');
    expect(cookieValue(undefined, 'nurture_aid')).toBeUndefined();
  });
});
