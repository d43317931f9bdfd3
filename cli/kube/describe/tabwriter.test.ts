import { expect } from 'chai';
import { alignTabs, DescribeWriter } from './tabwriter.js';

describe('describe tabwriter (Go text/tabwriter semantics)', () => {
  const cases: { name: string; text: string; want: string }[] = [
    { name: 'one block aligns its first column', text: 'Name:\tweb\nNamespace:\tdefault\n', want: 'Name:       web\nNamespace:  default\n' },
    { name: 'a line without tabs ends the block', text: 'Name:\tweb\nContainers:\n  c:\n    Image:\tbusybox\n    Restart Count:\t0\n', want: 'Name:  web\nContainers:\n  c:\n    Image:          busybox\n    Restart Count:  0\n' },
    { name: 'an inner column aligns only the lines that have it', text: 'Port:\thttp\t80/TCP\nTargetPort:\t8080/TCP\nNodePort:\thttp\t30080/TCP\n', want: 'Port:        http  80/TCP\nTargetPort:  8080/TCP\nNodePort:    http  30080/TCP\n' },
    { name: 'an empty last cell still pads the cells before it', text: 'Medium:\t\nSizeLimit:\t<unset>\n', want: 'Medium:     \nSizeLimit:  <unset>\n' },
    { name: 'width counts characters, not bytes', text: 'ä:\tx\nab:\ty\n', want: 'ä:   x\nab:  y\n' },
    { name: 'an empty cell is a column of width 0 plus padding', text: 'a\tb\t\tc\nlonger\tb\t\tc\n', want: 'a       b    c\nlonger  b    c\n' },
  ];
  for (const tc of cases) it(tc.name, () => expect(alignTabs(tc.text)).to.equal(tc.want));

  it('flush ends alignment: an events table lines up on its own', () => {
    const w = new DescribeWriter();
    w.line(0, 'Name:', 'x');
    w.line(0, 'A much longer title:', 'y');
    w.flush();
    w.write(0, 'Events:\n');
    w.line(1, 'Type', 'Reason');
    w.line(1, 'Normal', 'Pulled');
    expect(w.text()).to.equal('Name:                 x\nA much longer title:  y\nEvents:\n  Type    Reason\n  Normal  Pulled\n');
  });
});
