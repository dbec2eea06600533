import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { snippet as trackerSnippet } from '../../../tracker/snippet.js';

const api = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

function inlineScript(snippet: string): string {
  const match = /<script>([\s\S]*?)<\/script>/.exec(snippet);
  if (!match?.[1]) throw new Error('no inline script in snippet');
  return match[1];
}

describe('tracker snippet', () => {
  it('queues init and the first page view until the tracker loads', () => {
    const snippet = trackerSnippet({ api, writeKey: 'wk_site_0001' });
    const window: Record<string, any> = {};
    window.window = window;

    runInNewContext(inlineScript(snippet), window);

    expect(window.nurture.q.map((args: IArguments) => Array.from(args))).toEqual([
      ['init', { api, writeKey: 'wk_site_0001' }],
      ['page'],
    ]);
  });

  it('keeps an existing nurture queue (snippet pasted twice)', () => {
    const window: Record<string, any> = {};
    window.window = window;
    const script = inlineScript(trackerSnippet({ api, writeKey: 'wk_site_0001' }));

    runInNewContext(script, window);
    runInNewContext(script, window);

    expect(window.nurture.q).toHaveLength(4);
  });

  it('loads the tracker asynchronously from the site, /nurture.min.js by default', () => {
    expect(trackerSnippet({ api, writeKey: 'wk_site_0001' })).toContain('<script async src="/nurture.min.js"></script>');
    expect(trackerSnippet({ api, writeKey: 'wk_site_0001', src: 'https://cdn.example.com/n.js?v=1&x=2' })).toContain(
      '<script async src="https://cdn.example.com/n.js?v=1&amp;x=2"></script>',
    );
  });

  it('cannot be broken out of by a value containing </script>', () => {
    const snippet = trackerSnippet({ api: 'https://x.example.com/</script><script>alert(1)//', writeKey: 'k' });

    expect(snippet.match(/<\/script>/g)).toHaveLength(2);
  });
});

describe('snippet cookieDomain', () => {
  it('passes cookieDomain to init only when given', async () => {
    const { snippet } = await import('../../../tracker/snippet.js');
    expect(snippet({ api: 'https://api.example.com', writeKey: 'k', cookieDomain: '.example.com' })).toContain(`nurture('init', {api: "https://api.example.com", writeKey: "k", cookieDomain: ".example.com"});`);
    expect(snippet({ api: 'https://api.example.com', writeKey: 'k' })).not.toContain('cookieDomain');
  });
});
