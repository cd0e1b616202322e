import ReactMarkdown, { type Components } from "react-markdown";

// Links open in a new tab and never pass the page on; react-markdown already drops javascript: URLs.
const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
};

/** An assistant reply as Markdown (lists, emphasis, code). Raw HTML in it is dropped, never rendered. */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
