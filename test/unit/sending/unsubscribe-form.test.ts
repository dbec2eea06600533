import { describe, expect, it } from 'vitest';
import { unsubscribeChoice, unsubscribeFields } from '../../../functions/sending/domain/unsubscribe-form.js';

/** RFC 8058 section 8.3, as printed: its delimiter lines are the bare boundary parameter (erratum 5117). */
const rfcBody = ['---FormBoundaryjWmhtjORrn', 'Content-Disposition: form-data; name="List-Unsubscribe"', '', 'One-Click', '---FormBoundaryjWmhtjORrn--'].join('\r\n');

const choiceOf = (contentType: string | undefined, body: string) => unsubscribeChoice(unsubscribeFields(contentType, body));

describe('unsubscribe POST bodies', () => {
  it('reads the RFC 8058 example as printed and as its erratum corrects it', () => {
    expect(choiceOf('multipart/form-data; boundary=---FormBoundaryjWmhtjORrn', rfcBody)).toEqual({ scope: 'all', oneClick: true });
    expect(choiceOf('multipart/form-data; boundary=-FormBoundaryjWmhtjORrn', rfcBody)).toEqual({ scope: 'all', oneClick: true });
  });

  it('reads multipart as an HTTP client serializes a form (quoted boundary, LF line ends too)', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const request = new Request('https://client.example/', { method: 'POST', body: form });
    expect(choiceOf(request.headers.get('content-type')!, await request.text())).toEqual({ scope: 'all', oneClick: true });
    const lf = '--b1\nContent-Disposition: form-data; name="scope"\n\ntopic\n--b1--\n';
    expect(choiceOf('multipart/form-data; boundary="b1"', lf)).toEqual({ scope: 'topic', oneClick: false });
  });

  it('reads URL-encoded forms, and any other content type as one (mail clients vary)', () => {
    expect(choiceOf('application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click')).toEqual({ scope: 'all', oneClick: true });
    expect(choiceOf('application/x-www-form-urlencoded; charset=utf-8', 'scope=topic')).toEqual({ scope: 'topic', oneClick: false });
    expect(choiceOf(undefined, 'List-Unsubscribe=One-Click')).toEqual({ scope: 'all', oneClick: true });
  });

  it('refuses a body that asks for nothing, naming the field', () => {
    expect(() => choiceOf('multipart/form-data; boundary=zz', rfcBody)).toThrow(/^scope:/);
    expect(() => choiceOf('multipart/form-data', rfcBody)).toThrow(/^content-type:/);
    expect(() => choiceOf('application/x-www-form-urlencoded', 'List-Unsubscribe=Two-Clicks')).toThrow(/^scope:/);
  });
});
